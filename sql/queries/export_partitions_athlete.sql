-- `hamflow export`: the export's rows (`_export_rows`) of the athletes listed in `_export_keys`
-- (values as text, NULL for rows without an athlete). A hash join against the list, so a long
-- list of changed partitions costs what the rows do, not a condition per partition per row.
SELECT r.* FROM _export_rows AS r
SEMI JOIN _export_keys AS k ON CAST(r.athlete_id AS VARCHAR) IS NOT DISTINCT FROM k.athlete_id;
