-- Every stored candidate of the athletes in $athletes, with the threshold each workout was
-- classified with: the input of the thresholds' timelines (hamflow.ingest.calibrate). A second
-- recording of a workout (workouts.duplicate_of) shows no candidate: its primary counts, once.
SELECT e.workout_id, e.athlete_id, e.start_utc, e.metric,
       CASE WHEN w.duplicate_of IS NULL THEN e.value END AS value,
       CASE WHEN w.duplicate_of IS NULL THEN e.evidence END AS evidence,
       e.threshold_used
FROM workout_evidence AS e
LEFT JOIN workouts AS w USING (workout_id)
WHERE e.athlete_id IN (SELECT unnest($athletes::VARCHAR[]))
ORDER BY e.athlete_id, e.start_utc, e.workout_id, e.metric;
