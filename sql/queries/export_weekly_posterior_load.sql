-- `hamflow export`: one athlete's weekly rows.
SELECT * FROM weekly_posterior_load WHERE athlete_id = $athlete;
