-- Weekly rows of one athlete for the report: the latest $weeks weeks.
SELECT *
FROM weekly_posterior_load
WHERE athlete_id = $athlete
  AND week_start > (SELECT max(week_start) FROM weekly_posterior_load WHERE athlete_id = $athlete) - to_weeks(CAST($weeks AS INTEGER))
ORDER BY week_start;
