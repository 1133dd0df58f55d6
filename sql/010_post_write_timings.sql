-- The stages of a run that 002_run_timings.sql does not time, in seconds (wall, in the run's own
-- process); NULL for runs recorded before this migration.
--   survey_s     learning each athlete's thresholds timeline before classifying: the stored
--                candidates, and the survey of new files (decode, screen, candidates) when
--                several new files of one athlete arrive together
--   merge_s      merging recordings of one workout after the writes
--   calibrate_s  recalibrating thresholds after the merge, and classifying again the workouts
--                whose thresholds changed (workouts_recalibrated counts them)
ALTER TABLE ingest_runs ADD COLUMN survey_s DOUBLE;
ALTER TABLE ingest_runs ADD COLUMN merge_s DOUBLE;
ALTER TABLE ingest_runs ADD COLUMN calibrate_s DOUBLE;
