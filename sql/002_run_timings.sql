-- Where each ingest run spent its time, so a slow night can be explained from the database
-- alone (and the backfill benchmark reads its per-stage breakdown from here).
-- Seconds; NULL for runs recorded before this migration.
--   discover_s      planning: listing the inbox, the path index, hashing new files, the run row
--   decode_s        decoding FIT files: CPU seconds of the worker processes, summed over files
--                   (with N parallel workers this can be up to N times the wall time)
--   classify_s      classifying and shaping rows: CPU seconds, summed as decode_s
--   prepare_wait_s  wall time the run's own process waited for decoded and classified batches
--   write_s         batch write transactions, opening and closing the database included,
--                   the weekly refresh excluded
--   weekly_s        recomputing the weekly rows of the athletes each batch touched
--   finish_s        recording paths and counts at the end of the run
ALTER TABLE ingest_runs ADD COLUMN discover_s DOUBLE;
ALTER TABLE ingest_runs ADD COLUMN decode_s DOUBLE;
ALTER TABLE ingest_runs ADD COLUMN classify_s DOUBLE;
ALTER TABLE ingest_runs ADD COLUMN prepare_wait_s DOUBLE;
ALTER TABLE ingest_runs ADD COLUMN write_s DOUBLE;
ALTER TABLE ingest_runs ADD COLUMN weekly_s DOUBLE;
ALTER TABLE ingest_runs ADD COLUMN finish_s DOUBLE;
