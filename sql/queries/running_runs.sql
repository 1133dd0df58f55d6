-- Runs still marked running, with the process that ran them: the candidates for 'abandoned'.
SELECT run_id, host, pid, started_at
FROM ingest_runs
WHERE status = 'running' AND run_id <> $run_id
ORDER BY started_at;
