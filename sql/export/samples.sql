-- `hamflow export`: Every second of every workout, by its workout's athlete and year (ordered and
-- written a group of partitions at a time: hamflow/store/export.py).
SELECT w.athlete_id, year(w.week_start) AS year, s.*
FROM samples AS s JOIN workouts AS w USING (workout_id);
