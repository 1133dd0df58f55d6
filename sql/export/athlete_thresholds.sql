-- `hamflow export`: Each athlete's thresholds over time, by athlete.
SELECT * FROM athlete_thresholds;
