-- The pattern spans of some workouts ($ids: a list of workout_id), in order: the background of
-- the report's workout charts.
SELECT workout_id, segment_index, pattern, start_utc, end_utc
FROM segments
WHERE list_contains($ids, workout_id)
ORDER BY workout_id, segment_index;
