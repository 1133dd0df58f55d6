-- The data-quality screen (docs/model.md, "Data quality").
--
-- workouts.quality_warnings  one sentence per check that fired: what was masked or distrusted
--                            and why (empty when the data passed; null for workouts stored
--                            before this migration, until `hamflow reprocess`)
-- workouts.device_*          what the session message itself said, so the screen's
--                            cross-checks can run again on stored samples and a user can
--                            compare: elapsed and timer time (s), distance (m), maximum speed
--                            (m/s) and power (W), total ascent (m); null where the file said
--                            nothing (or had no session message)
-- samples.masked             the channels the screen masked in this second (speed_mps,
--                            altitude_m, distance_m, power_w, heart_rate_bpm, cadence); null
--                            when none. The value columns keep what the device recorded; the
--                            model's pattern, intensity and loads left the masked ones out.
ALTER TABLE workouts ADD COLUMN quality_warnings VARCHAR[];
ALTER TABLE workouts ADD COLUMN device_elapsed_s DOUBLE;
ALTER TABLE workouts ADD COLUMN device_timer_s DOUBLE;
ALTER TABLE workouts ADD COLUMN device_distance_m DOUBLE;
ALTER TABLE workouts ADD COLUMN device_max_speed_mps DOUBLE;
ALTER TABLE workouts ADD COLUMN device_max_power_w DOUBLE;
ALTER TABLE workouts ADD COLUMN device_ascent_m DOUBLE;
ALTER TABLE samples ADD COLUMN masked VARCHAR[];
