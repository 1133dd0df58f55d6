-- `hamflow export`: one athlete's samples, with their workout's week (the partition key).
SELECT w.week_start, s.* FROM samples s JOIN workouts w USING (workout_id) WHERE w.athlete_id = $athlete;
