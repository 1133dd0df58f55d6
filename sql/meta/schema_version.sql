-- The newest migration applied (null when hamflow_meta is empty).
SELECT max(schema_version) FROM hamflow_meta;
