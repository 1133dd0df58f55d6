-- The stored threshold rows of the athletes in $athletes, in timeline order.
SELECT athlete_id, metric, value, valid_from, source, workout_id, evidence
FROM athlete_thresholds
WHERE athlete_id IN (SELECT unnest($athletes::VARCHAR[]))
ORDER BY athlete_id, metric, valid_from NULLS FIRST, workout_id NULLS FIRST;
