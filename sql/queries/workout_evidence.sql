-- Every stored candidate of the athletes in $athletes, with the threshold each workout was
-- classified with: the input of the thresholds' timelines (hamflow.ingest.calibrate).
SELECT workout_id, athlete_id, start_utc, metric, value, evidence, threshold_used
FROM workout_evidence
WHERE athlete_id IN (SELECT unnest($athletes::VARCHAR[]))
ORDER BY athlete_id, start_utc, workout_id, metric;
