-- The latest $weeks weeks per athlete (all athletes when $athlete is null), oldest first.
-- With $weeks = 1: each athlete's current week (the run summary's table).
SELECT * EXCLUDE (weeks_back)
FROM weekly_weeks_back
WHERE ($athlete IS NULL OR athlete_id = $athlete)
  AND weeks_back < CAST($weeks AS INTEGER)
ORDER BY athlete_id, week_start;
