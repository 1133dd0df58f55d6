-- `hamflow export`: one athlete's workouts.
SELECT * FROM workouts WHERE athlete_id = $athlete;
