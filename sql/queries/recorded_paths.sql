-- The path each of the files in `_paths` (file_sha256) was recorded under when it was ingested.
SELECT f.file_sha256, f.path
FROM fit_files AS f
WHERE f.file_sha256 IN (SELECT file_sha256 FROM _paths);
