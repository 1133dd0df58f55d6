-- Workouts newest first with their verdict, for "last workouts" panels; each workout once (a
-- second recording of it, duplicate_of set, is left out; merged_streams says what it added).
CREATE OR REPLACE VIEW recent_workouts AS
SELECT
    athlete_id, workout_id, start_local, week_start, sport, sub_sport,
    round(moving_s / 60.0, 1) AS moving_min, distance_m,
    workout_class, dominant_pattern, posterior_share,
    posterior_load, quad_load, is_sprint_session, is_leg_day, reasons, quality_warnings, merged_streams
FROM workouts
WHERE duplicate_of IS NULL
ORDER BY start_utc DESC;
