-- The latest workouts of one athlete with their verdict.
SELECT workout_id, start_local, sport, sub_sport, moving_min, workout_class, dominant_pattern,
       posterior_share, posterior_load, quad_load, is_sprint_session, is_leg_day, reasons,
       quality_warnings
FROM recent_workouts
WHERE athlete_id = $athlete
LIMIT $limit;
