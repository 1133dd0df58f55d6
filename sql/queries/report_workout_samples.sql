-- The per-second signals of some workouts ($ids: a list of workout_id), for the report's
-- workout charts, which downsample them for display.
SELECT workout_id, ts_utc, speed_mps, grade_pct, power_w, heart_rate_bpm
FROM samples
WHERE list_contains($ids, workout_id)
ORDER BY workout_id, ts_utc;
