-- One athlete's weekly rows from the week of $since on (`hamflow next` reads this week's ratio).
SELECT * FROM weekly_posterior_load
WHERE athlete_id = $athlete AND week_start >= CAST($since AS DATE)
ORDER BY week_start;
