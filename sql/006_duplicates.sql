-- Two recordings of one workout (docs/model.md, section 11): a watch and the treadmill, rower
-- or bike that writes its own file, or one file exported twice. Both keep their rows; the
-- weekly tables, the dashboard views and the listings count the primary only.
--
-- workouts.duplicate_of    on a secondary recording: the workout_id of the primary it
--                          duplicates; null on a primary and on every single recording
-- workouts.clock_offset_s  on a secondary: how many seconds its device clock was ahead of the
--                          primary's (estimated from a stream both recorded); its samples
--                          are set back by this much before the primary borrows from them
-- workouts.merged_streams  on a primary: the streams it borrowed because it had none of its
--                          own, each as `column<-workout_id` (e.g. `heart_rate_bpm<-5f0c...-0`);
--                          its samples hold the borrowed values, and its verdict used them.
--                          Empty when nothing was borrowed; null before this migration.
--
-- ingest_runs.workouts_merged  workouts a run classified again because the streams they borrow
--                              changed (a second recording arrived, or a stored primary handed
--                              its role to a better recording and got its own streams back)
ALTER TABLE workouts ADD COLUMN duplicate_of VARCHAR;
ALTER TABLE workouts ADD COLUMN clock_offset_s DOUBLE;
ALTER TABLE workouts ADD COLUMN merged_streams VARCHAR[];
ALTER TABLE ingest_runs ADD COLUMN workouts_merged INTEGER DEFAULT 0;
