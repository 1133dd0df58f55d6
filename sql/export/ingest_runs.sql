-- `hamflow export`: The run log: one file.
SELECT * FROM ingest_runs ORDER BY started_at, run_id;
