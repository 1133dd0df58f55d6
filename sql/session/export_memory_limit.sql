-- `hamflow export`: what DuckDB may hold before its sorts spill to disk (restored afterwards).
SET memory_limit = $value;
