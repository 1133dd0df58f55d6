-- `hamflow export`: The run log: one file.
SELECT * FROM ingest_runs;
