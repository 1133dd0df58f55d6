-- Every path whose hash is a known file: a file quarantined for one of $retried_reasons
-- (reasons that say nothing about its bytes) is not known, so the next run looks at it again.
SELECT p.path, p.size_bytes, p.mtime_ns, p.file_sha256, p.crc32
FROM file_paths AS p
JOIN fit_files AS f USING (file_sha256)
WHERE NOT list_contains($retried_reasons, coalesce(f.reason, ''));
