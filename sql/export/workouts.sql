-- `hamflow export`: Every workout (each recording: see duplicate_of), by athlete and year of its week.
SELECT *, year(week_start) AS year FROM workouts;
