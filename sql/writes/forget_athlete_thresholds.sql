-- Drop one athlete's threshold rows: their recomputed timeline is inserted in the same
-- transaction (hamflow.store.thresholds).
DELETE FROM athlete_thresholds WHERE athlete_id = $athlete;
