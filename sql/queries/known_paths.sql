-- Which files of a listing are known by the path index: one join for the whole listing
-- (`_listing`, a frame registered by hamflow.store.paths.known_by_path), so a nightly inbox of
-- years of files costs one query, not a lookup per file. A file is known when its path is
-- indexed with the same size and, for an archive member with a CRC-32 (crc32 not null), the
-- same CRC-32, else the same mtime; and its hash is a known file (not quarantined for one of
-- $retried_reasons, which say nothing about its bytes).
SELECT l.i
FROM _listing AS l
JOIN file_paths AS p ON p.path = l.path AND p.size_bytes = l.size_bytes
JOIN fit_files AS f ON f.file_sha256 = p.file_sha256
WHERE CASE WHEN l.crc32 IS NOT NULL THEN p.crc32 = l.crc32 ELSE p.mtime_ns = l.mtime_ns END
  AND NOT list_contains($retried_reasons, coalesce(f.reason, ''));
