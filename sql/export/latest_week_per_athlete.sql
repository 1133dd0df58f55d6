-- `hamflow export`: View: each athlete's latest week with data.
SELECT * FROM latest_week_per_athlete;
