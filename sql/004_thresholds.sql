-- Athlete thresholds estimated from each athlete's own history (docs/model.md, section 9).

-- What each workout showed for each calibrated threshold, and the threshold it was judged by:
-- one row per workout and metric (vmax_mps, threshold_speed_mps, bike_threshold_power_w,
-- rower_threshold_power_w, hr_max_bpm). Written with the workout, recomputed by reprocess.
CREATE TABLE workout_evidence (
    workout_id      VARCHAR NOT NULL,
    athlete_id      VARCHAR NOT NULL,
    start_utc       TIMESTAMPTZ NOT NULL,   -- the workout's start: the timeline's order
    metric          VARCHAR NOT NULL,       -- an athlete-profile field
    value           DOUBLE,                 -- the workout's candidate; null: it showed nothing
    evidence        VARCHAR,                -- how the candidate was found, in words
    threshold_used  DOUBLE NOT NULL         -- the value the workout was classified with
);

-- Each athlete's thresholds over time: a row per value and the moment it starts to hold.
-- config and default rows hold from the beginning (valid_from null); an estimated row holds
-- from the start of the workout that set it (workout_id) until the next row of that metric.
CREATE TABLE athlete_thresholds (
    athlete_id  VARCHAR NOT NULL,
    metric      VARCHAR NOT NULL,
    value       DOUBLE NOT NULL,
    valid_from  TIMESTAMPTZ,
    source      VARCHAR NOT NULL,           -- config | estimated | default
    workout_id  VARCHAR,                    -- the workout whose candidate set it (estimated)
    evidence    VARCHAR                     -- what that workout showed, in words
);

-- Workouts classified again in a run because a threshold valid at their start changed.
ALTER TABLE ingest_runs ADD COLUMN workouts_recalibrated INTEGER DEFAULT 0;
