-- `hamflow reprocess`: the stored strength sets of the workouts it copied out ($workouts: the
-- Parquet file of reprocess_workouts.sql), with their workout's seq, in seq then time order.
SELECT t.seq, s.* FROM strength_sets AS s JOIN read_parquet($workouts) AS t USING (workout_id)
ORDER BY t.seq, s.ts_utc;
