-- `hamflow export`: Every second of every workout, by its workout's athlete and year: one pass over samples.
SELECT w.athlete_id, year(w.week_start) AS year, s.*
FROM samples AS s JOIN workouts AS w USING (workout_id)
ORDER BY w.athlete_id, s.workout_id, s.ts_utc;
