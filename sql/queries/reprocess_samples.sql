-- `hamflow reprocess`: the stored samples of the workouts it copied out ($workouts: the Parquet
-- file of reprocess_workouts.sql), with their workout's seq, in seq then time order: one pass
-- over samples, so a reprocess costs the same per athlete whatever the number of athletes.
SELECT t.seq, s.* FROM samples AS s JOIN read_parquet($workouts) AS t USING (workout_id)
ORDER BY t.seq, s.ts_utc;
