-- Archives as inboxes: FIT files inside zip and .fit.gz archives (path 'archive!member').

-- The CRC-32 of an archive member as its archive's directory declares it (for a .fit.gz on
-- disk, its gzip trailer's): with the size, the member's stamp. A member whose path, size and
-- CRC-32 are in the index is known without being decompressed. Null for files on disk, which
-- are known by size and mtime.
ALTER TABLE file_paths ADD COLUMN crc32 BIGINT;

-- Files a run found that are not FIT (.gpx, .tcx, .csv, .json, images, ... in folders and
-- archives): how many, and how many of each extension. They are counted, never read.
ALTER TABLE ingest_runs ADD COLUMN files_not_fit INTEGER DEFAULT 0;
ALTER TABLE ingest_runs ADD COLUMN not_fit_by_extension MAP(VARCHAR, INTEGER);
