-- `hamflow export`: View: recent workouts, by athlete.
SELECT * FROM recent_workouts;
