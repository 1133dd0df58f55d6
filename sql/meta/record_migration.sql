-- A migration was applied: $version is its number, $applied_at when.
INSERT INTO hamflow_meta (schema_version, applied_at) VALUES ($version, $applied_at);
