-- The stored per-second samples of one athlete's workouts, the model's input for reprocessing.
SELECT s.* FROM samples s JOIN workouts w USING (workout_id) WHERE w.athlete_id = $athlete;
