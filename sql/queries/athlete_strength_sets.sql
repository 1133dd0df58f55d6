-- The stored strength sets of one athlete's workouts, the model's input for reprocessing.
SELECT s.* FROM strength_sets s JOIN workouts w USING (workout_id) WHERE w.athlete_id = $athlete;
