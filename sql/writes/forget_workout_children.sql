-- Drop the per-workout rows of the workouts in `_ids` (a frame registered by
-- hamflow.store.rewrite): their recomputed rows are inserted in the same transaction.
DELETE FROM samples_stored WHERE workout_id IN (SELECT workout_id FROM _ids);
DELETE FROM segments WHERE workout_id IN (SELECT workout_id FROM _ids);
DELETE FROM workout_patterns WHERE workout_id IN (SELECT workout_id FROM _ids);
DELETE FROM strength_sets WHERE workout_id IN (SELECT workout_id FROM _ids);
DELETE FROM workout_evidence WHERE workout_id IN (SELECT workout_id FROM _ids);
