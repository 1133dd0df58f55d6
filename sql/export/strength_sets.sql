-- `hamflow export`: Every strength set, by its workout's athlete and year.
SELECT w.athlete_id, year(w.week_start) AS year, s.*
FROM strength_sets AS s JOIN workouts AS w USING (workout_id);
