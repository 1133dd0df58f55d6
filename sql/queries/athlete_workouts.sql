-- Every stored column of one athlete's workouts, by key (`hamflow reprocess` runs the model
-- again on them).
SELECT * FROM workouts WHERE athlete_id = $athlete ORDER BY workout_id;
