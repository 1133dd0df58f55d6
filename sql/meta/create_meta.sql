-- hamflow's own bookkeeping: one row per migration applied (sql/NNN_*.sql), created with the
-- first one. Its presence is what marks a DuckDB file as a hamflow database.
CREATE TABLE hamflow_meta (schema_version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL);
