-- Files renamed or moved since they were ingested (`_paths`, registered by
-- hamflow.store.paths.follow_moves: the new path of a file whose recorded path is gone):
-- fit_files, and so quarantined_files, show where each file is now.
UPDATE fit_files SET path = m.path
FROM _paths AS m
WHERE fit_files.file_sha256 = m.file_sha256;
