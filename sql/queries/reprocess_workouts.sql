-- `hamflow reprocess`: every stored column of the workouts to classify again ($athlete: one, or
-- NULL for all; from $from_athlete on), numbered (seq) in the order the model reads them: by
-- athlete, then start, then workout_id, the order of the threshold timeline.
SELECT row_number() OVER (ORDER BY athlete_id, start_utc, workout_id) AS seq, *
FROM workouts
WHERE ($athlete IS NULL OR athlete_id = $athlete) AND athlete_id >= $from_athlete
ORDER BY seq;
