-- `hamflow export`: What each workout showed for each calibrated threshold, by athlete and year.
SELECT *, year(start_utc) AS year FROM workout_evidence;
