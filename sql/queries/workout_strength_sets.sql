-- The stored strength sets of some workouts ($ids: a list of workout_id).
SELECT * FROM strength_sets WHERE list_contains($ids, workout_id);
