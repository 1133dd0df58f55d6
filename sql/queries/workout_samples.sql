-- The stored per-second samples of some workouts ($ids: a list of workout_id), for the merge of
-- recordings of one workout, which needs only the sessions that overlap.
SELECT * FROM samples WHERE list_contains($ids, workout_id);
