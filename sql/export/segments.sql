-- `hamflow export`: Every segment, by its workout's athlete and year.
SELECT w.athlete_id, year(w.week_start) AS year, s.*
FROM segments AS s JOIN workouts AS w USING (workout_id);
