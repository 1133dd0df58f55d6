-- A run begins: its row in ingest_runs, completed by finish_run.sql when it ends.
INSERT INTO ingest_runs (run_id, started_at, status, hamflow_version, model_version, host, pid)
VALUES ($run_id, $started_at, 'running', $hamflow_version, $model_version, $host, $pid);
