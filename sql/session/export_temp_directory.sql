-- `hamflow export`: where those sorts spill: in the export folder, which hamflow writes anyway
-- (the database's folder may be read-only to a reader).
SET temp_directory = $value;
