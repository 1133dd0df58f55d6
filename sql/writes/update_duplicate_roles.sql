-- Set each workout's role among the recordings of one workout from `_roles` (a frame
-- registered by hamflow.store.rewrite: workout_id, duplicate_of, clock_offset_s,
-- merged_streams). Only the role changes here; a primary's new samples and verdict are
-- written with the other columns (writes/update_workouts.sql).
UPDATE workouts SET
    duplicate_of = r.duplicate_of,
    clock_offset_s = r.clock_offset_s,
    merged_streams = r.merged_streams
FROM _roles AS r
WHERE workouts.workout_id = r.workout_id;
