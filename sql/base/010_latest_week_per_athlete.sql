-- Base view: each athlete's latest week in weekly_posterior_load (the week a nightly run most
-- likely touched), one row per athlete. "The last N weeks" everywhere in hamflow is counted back
-- from this week, per athlete, not from today: an athlete who stopped uploading still shows
-- their last weeks.
CREATE OR REPLACE VIEW latest_week_per_athlete AS
SELECT athlete_id, max(week_start) AS week_start
FROM weekly_posterior_load
GROUP BY athlete_id;
