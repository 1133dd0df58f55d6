-- Which of the hashes in `_hashes` (a frame registered by hamflow.store.writer.known_hashes)
-- are known files. A file quarantined for one of $retried_reasons (too large to read, gone,
-- rewritten while read) is not known: each run looks at it again.
SELECT file_sha256
FROM fit_files AS f
WHERE file_sha256 IN (SELECT h FROM _hashes)
  AND NOT list_contains($retried_reasons, coalesce(f.reason, ''));
