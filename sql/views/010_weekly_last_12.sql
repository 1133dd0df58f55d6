-- The last 12 weeks per athlete (counted back from that athlete's latest week), newest first.
CREATE OR REPLACE VIEW weekly_last_12 AS
SELECT w.*
FROM weekly_posterior_load AS w
JOIN (
    SELECT athlete_id, max(week_start) AS last_week
    FROM weekly_posterior_load
    GROUP BY athlete_id
) AS latest USING (athlete_id)
WHERE w.week_start > latest.last_week - INTERVAL 12 WEEK
ORDER BY w.athlete_id, w.week_start DESC;
