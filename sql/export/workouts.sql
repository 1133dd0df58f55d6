-- `hamflow export`: Every workout (each recording: see duplicate_of), by athlete and year of its week.
SELECT *, year(week_start) AS year FROM workouts ORDER BY athlete_id, start_utc, workout_id;
