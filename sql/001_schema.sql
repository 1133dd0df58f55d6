-- hamflow schema, version 1.
-- Table and column names are a public contract: dashboards and users' queries depend on them.
-- Applied by hamflow.store in one transaction; later versions add files 002_*.sql, never edit this one.

-- Every FIT file hamflow has seen, keyed by the SHA-256 of its bytes: the same file under any
-- name or path is one row. Quarantined files stay here with their reason and are not retried
-- until their bytes change.
CREATE TABLE fit_files (
    file_sha256      VARCHAR PRIMARY KEY,
    path             VARCHAR NOT NULL,         -- where it was first seen
    size_bytes       BIGINT NOT NULL,
    athlete_id       VARCHAR NOT NULL,
    status           VARCHAR NOT NULL CHECK (status IN ('ingested', 'quarantined', 'not_activity')),
    reason           VARCHAR,                  -- null when ingested; a decoder reason code otherwise
    decoder          VARCHAR NOT NULL,         -- e.g. 'fitparse'
    decoder_version  VARCHAR NOT NULL,
    ingested_at      TIMESTAMPTZ NOT NULL,
    run_id           VARCHAR NOT NULL,
    file_type        VARCHAR,                  -- FIT file type: activity, settings, course, ...
    manufacturer     VARCHAR,
    product          VARCHAR,
    serial_number    BIGINT,
    decode_status    VARCHAR,                  -- ok | truncated | crc_mismatch (null if quarantined)
    detail           VARCHAR,                  -- the human sentence behind reason, or warnings
    warnings         VARCHAR[]
);

-- One row per session of an activity file (a triathlon file gives several).
CREATE TABLE workouts (
    workout_id         VARCHAR PRIMARY KEY,     -- '<first 16 hex of file_sha256>-<session_index>'
    file_sha256        VARCHAR NOT NULL,
    athlete_id         VARCHAR NOT NULL,
    session_index      INTEGER NOT NULL,
    sport              VARCHAR NOT NULL,
    sub_sport          VARCHAR,
    start_utc          TIMESTAMPTZ NOT NULL,
    utc_offset_min     INTEGER,                 -- offset used for local time (file, else athlete tz)
    start_local        TIMESTAMP NOT NULL,
    week_start         DATE NOT NULL,           -- Monday of the local ISO week
    duration_s         DOUBLE NOT NULL,
    moving_s           DOUBLE NOT NULL,
    distance_m         DOUBLE,
    grade_source       VARCHAR NOT NULL,        -- record_grade | developer_incline | altitude | none
    posterior_load     DOUBLE NOT NULL,
    quad_load          DOUBLE NOT NULL,
    posterior_share    DOUBLE,                  -- PL / (PL + QL); null when there is no load
    workout_class      VARCHAR NOT NULL,        -- posterior | quad | mixed
    dominant_pattern   VARCHAR,
    sprint_efforts     INTEGER NOT NULL,
    is_sprint_session  BOOLEAN NOT NULL,
    is_leg_day         BOOLEAN NOT NULL,
    reasons            VARCHAR[] NOT NULL,
    model_version      VARCHAR NOT NULL,
    hsr_distance_m     DOUBLE NOT NULL,
    sprint_distance_m  DOUBLE NOT NULL,
    maxv_s             DOUBLE NOT NULL,
    is_incline_walk    BOOLEAN NOT NULL,
    is_rowing          BOOLEAN NOT NULL,
    posterior_s        DOUBLE NOT NULL,         -- moving seconds in patterns with p >= 0.55
    quad_s             DOUBLE NOT NULL          -- moving seconds in patterns with p <= 0.40
);

-- Seconds and load per movement pattern per workout (exact; segments merge short runs).
CREATE TABLE workout_patterns (
    workout_id      VARCHAR NOT NULL,
    pattern         VARCHAR NOT NULL,
    seconds         DOUBLE NOT NULL,
    posterior_load  DOUBLE NOT NULL,
    quad_load       DOUBLE NOT NULL,
    mean_p          DOUBLE                    -- mean posterior share p over those seconds
);

-- Contiguous stretches of one pattern, in order, as `hamflow explain` shows them.
CREATE TABLE segments (
    workout_id      VARCHAR NOT NULL,
    segment_index   INTEGER NOT NULL,
    pattern         VARCHAR NOT NULL,
    start_utc       TIMESTAMPTZ NOT NULL,
    end_utc         TIMESTAMPTZ NOT NULL,
    duration_s      DOUBLE NOT NULL,
    distance_m      DOUBLE,
    mean_speed_mps  DOUBLE,
    mean_grade_pct  DOUBLE,
    mean_power_w    DOUBLE,
    mean_if         DOUBLE,
    posterior_load  DOUBLE NOT NULL,
    quad_load       DOUBLE NOT NULL
);

-- Per second, per workout: enough to reclassify after a model or config change without the
-- FIT file (`hamflow reprocess`).
CREATE TABLE samples (
    workout_id        VARCHAR NOT NULL,
    ts_utc            TIMESTAMPTZ NOT NULL,
    dt_s              DOUBLE,
    speed_mps         DOUBLE,
    grade_pct         DOUBLE,
    grade_source      VARCHAR,
    altitude_m        DOUBLE,
    distance_m        DOUBLE,                 -- kept so grade from altitude can be derived again
    power_w           DOUBLE,
    heart_rate_bpm    DOUBLE,
    cadence           DOUBLE,
    moving            BOOLEAN,
    intensity_factor  DOUBLE,
    intensity_source  VARCHAR,                -- speed | power | erg_pace | heart_rate | nominal
    pattern           VARCHAR,
    p                 DOUBLE,
    h                 DOUBLE,
    load              DOUBLE,
    posterior_load    DOUBLE,
    quad_load         DOUBLE,
    maxv              BOOLEAN
);

-- Strength sets of strength sessions (FIT `set` messages), classified by the movement.
CREATE TABLE strength_sets (
    workout_id    VARCHAR NOT NULL,
    set_index     INTEGER NOT NULL,
    ts_utc        TIMESTAMPTZ,
    categories    VARCHAR[],
    movement      VARCHAR,                 -- hip_extension | knee_extension | other
    repetitions   INTEGER,
    weight_kg     DOUBLE,
    duration_s    DOUBLE
);

-- The weekly picture per athlete. Weeks without workouts between an athlete's first and last
-- week are present with zeros, so charts and rolling windows are honest.
CREATE TABLE weekly_posterior_load (
    athlete_id                       VARCHAR NOT NULL,
    week_start                       DATE NOT NULL,
    workouts                         INTEGER NOT NULL,
    moving_min                       DOUBLE NOT NULL,
    posterior_load                   DOUBLE NOT NULL,
    quad_load                        DOUBLE NOT NULL,
    posterior_share                  DOUBLE,
    posterior_min                    DOUBLE NOT NULL,
    quad_min                         DOUBLE NOT NULL,
    sprint_sessions                  INTEGER NOT NULL,
    leg_day_sessions                 INTEGER NOT NULL,
    min_hours_between_hard_sessions  DOUBLE,
    incline_walk_sessions            INTEGER NOT NULL,
    rowing_sessions                  INTEGER NOT NULL,
    hsr_distance_m                   DOUBLE NOT NULL,
    sprint_distance_m                DOUBLE NOT NULL,
    acwr_posterior                   DOUBLE,
    flags                            VARCHAR[] NOT NULL,
    model_version                    VARCHAR NOT NULL
);

-- One row per ingest run.
CREATE TABLE ingest_runs (
    run_id              VARCHAR PRIMARY KEY,
    started_at          TIMESTAMPTZ NOT NULL,
    finished_at         TIMESTAMPTZ,
    status              VARCHAR NOT NULL,    -- running | completed | failed
    files_seen          INTEGER NOT NULL DEFAULT 0,
    files_new           INTEGER NOT NULL DEFAULT 0,
    files_known         INTEGER NOT NULL DEFAULT 0,
    files_quarantined   INTEGER NOT NULL DEFAULT 0,
    files_not_activity  INTEGER NOT NULL DEFAULT 0,
    files_deferred      INTEGER NOT NULL DEFAULT 0,
    workouts_added      INTEGER NOT NULL DEFAULT 0,
    weeks_updated       INTEGER NOT NULL DEFAULT 0,
    hamflow_version     VARCHAR NOT NULL,
    model_version       VARCHAR NOT NULL,
    message             VARCHAR
);

-- A cheap index of paths already seen, so a nightly run skips known files without reading them.
CREATE TABLE file_paths (
    path         VARCHAR NOT NULL,
    size_bytes   BIGINT NOT NULL,
    mtime_ns     BIGINT NOT NULL,
    file_sha256  VARCHAR NOT NULL
);
