-- `hamflow export`: Time and load per pattern of every workout, by its workout's athlete and year.
SELECT w.athlete_id, year(w.week_start) AS year, p.*
FROM workout_patterns AS p JOIN workouts AS w USING (workout_id);
