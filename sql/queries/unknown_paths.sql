-- Which files of a listing the path index does not know: one anti-join for the whole listing
-- (`_listing`, a frame registered by hamflow.store.paths.unknown_by_path), so a nightly inbox
-- of years of files costs one query that returns only what is new, not a lookup per file.
-- A file is known when its path is indexed with the same size and, for an archive member with
-- a CRC-32 (crc32 not null), the same CRC-32, else the same mtime; and its hash is a known
-- file (not quarantined for one of $retried_reasons, which say nothing about its bytes).
SELECT l.i
FROM _listing AS l
ANTI JOIN (
    SELECT p.path, p.size_bytes, p.mtime_ns, p.crc32
    FROM file_paths AS p
    JOIN fit_files AS f USING (file_sha256)
    WHERE NOT list_contains($retried_reasons, coalesce(f.reason, ''))
) AS k
    ON k.path = l.path AND k.size_bytes = l.size_bytes
   AND CASE WHEN l.crc32 IS NOT NULL THEN k.crc32 = l.crc32 ELSE k.mtime_ns = l.mtime_ns END;
