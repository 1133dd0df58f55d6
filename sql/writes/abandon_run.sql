-- A run whose process is gone: it will never finish, so say so, and when it was noticed.
UPDATE ingest_runs SET
    status = 'abandoned',
    abandoned_at = $noticed_at,
    message = $message
WHERE run_id = $run_id AND status = 'running';
