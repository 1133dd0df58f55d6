-- Drop the path-index rows of the paths in `_paths` (a frame registered by
-- hamflow.store.paths.remember_paths), which then inserts their fresh rows.
DELETE FROM file_paths WHERE path IN (SELECT path FROM _paths);
