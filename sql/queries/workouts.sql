-- Workouts newest first, optionally for one athlete and from a date on; a second recording of
-- a workout (duplicate_of set) is not listed: the primary is, with what it borrowed.
SELECT
    athlete_id, workout_id, start_local, week_start, sport, sub_sport,
    round(moving_s / 60.0, 1) AS moving_min, round(distance_m) AS distance_m,
    workout_class, dominant_pattern, round(posterior_share, 3) AS posterior_share,
    round(posterior_load, 1) AS posterior_load, round(quad_load, 1) AS quad_load,
    sprint_efforts, is_sprint_session, is_leg_day, reasons, quality_warnings, merged_streams
FROM workouts
WHERE duplicate_of IS NULL
  AND ($athlete IS NULL OR athlete_id = $athlete)
  AND ($since IS NULL OR start_local >= CAST($since AS DATE))
ORDER BY start_utc DESC
LIMIT $limit;
