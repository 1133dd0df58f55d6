-- The last 12 weeks per athlete (counted back from that athlete's latest week), newest first.
CREATE OR REPLACE VIEW weekly_last_12 AS
SELECT * EXCLUDE (weeks_back)
FROM weekly_weeks_back
WHERE weeks_back < 12
ORDER BY athlete_id, week_start DESC;
