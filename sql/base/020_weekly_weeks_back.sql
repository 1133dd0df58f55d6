-- Base view: every row of weekly_posterior_load with weeks_back, how many weeks it lies before
-- that athlete's latest week (0 = the latest week, 1 = the week before, ...). "The latest N
-- weeks" is then `WHERE weeks_back < N`, and "the current week" `WHERE weeks_back = 0`.
-- Days // 7: week_start is always a Monday, and for any date the floor keeps
-- `weeks_back < N` equal to `week_start > latest - N weeks`.
CREATE OR REPLACE VIEW weekly_weeks_back AS
SELECT w.*, CAST((latest.week_start - w.week_start) // 7 AS INTEGER) AS weeks_back
FROM weekly_posterior_load AS w
JOIN latest_week_per_athlete AS latest USING (athlete_id);
