-- Each athlete's thresholds in force now (the latest row of each metric), with the workout
-- whose candidate set an estimated one and when it started (local time).
SELECT
    t.athlete_id, t.metric, round(t.value, 3) AS value, t.source,
    t.workout_id, w.start_local AS workout_start_local, t.evidence
FROM athlete_thresholds t
LEFT JOIN workouts w USING (workout_id)
WHERE ($athlete IS NULL OR t.athlete_id = $athlete)
QUALIFY row_number() OVER (
    PARTITION BY t.athlete_id, t.metric
    ORDER BY t.valid_from DESC NULLS LAST, t.workout_id DESC NULLS LAST
) = 1
ORDER BY t.athlete_id, t.metric;
