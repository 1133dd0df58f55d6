-- Drop the earlier rows of the files in `_retry` (a frame registered by hamflow.store.writer)
-- that were quarantined for one of $retried_reasons: this run's verdict replaces them.
DELETE FROM fit_files
WHERE list_contains($retried_reasons, reason) AND file_sha256 IN (SELECT h FROM _retry);
