-- `hamflow export`: one athlete's segments, with their workout's week (the partition key).
SELECT w.week_start, s.* FROM segments s JOIN workouts w USING (workout_id) WHERE w.athlete_id = $athlete;
