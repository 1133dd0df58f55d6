-- Files that could not be used, with the reason, newest first.
CREATE OR REPLACE VIEW quarantined_files AS
SELECT path, athlete_id, reason, detail, size_bytes, ingested_at, run_id, file_sha256
FROM fit_files
WHERE status = 'quarantined'
ORDER BY ingested_at DESC, path;
