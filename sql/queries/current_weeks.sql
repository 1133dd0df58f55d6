-- Each athlete's latest week (the week a nightly run most likely touched).
SELECT w.*
FROM weekly_posterior_load AS w
JOIN (SELECT athlete_id, max(week_start) AS week_start FROM weekly_posterior_load GROUP BY athlete_id) AS latest
USING (athlete_id, week_start)
ORDER BY w.athlete_id;
