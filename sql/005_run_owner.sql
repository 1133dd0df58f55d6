-- Which process runs each ingest, so that a run killed before its end (power cut, OOM killer,
-- a stopped container) is noticed by the next run instead of staying 'running' forever.
ALTER TABLE ingest_runs ADD COLUMN host VARCHAR;          -- the machine the run's loop ran on
ALTER TABLE ingest_runs ADD COLUMN pid INTEGER;           -- its process id there
ALTER TABLE ingest_runs ADD COLUMN abandoned_at TIMESTAMPTZ;  -- when a later run found it dead
