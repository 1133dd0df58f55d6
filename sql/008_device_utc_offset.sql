-- The UTC offset the file itself recorded, apart from the one that placed the workout in local
-- time (utc_offset_min, which falls back on the athlete's configured time zone). With both,
-- reprocess can place workouts again when an athlete's time zone is set or changed, exactly as
-- a fresh ingest would. Rows from before this column: their offset is taken as the file's.
ALTER TABLE workouts ADD COLUMN device_utc_offset_min INTEGER;
UPDATE workouts SET device_utc_offset_min = utc_offset_min;
