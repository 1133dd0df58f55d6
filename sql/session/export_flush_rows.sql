-- `hamflow export`: rows a partitioned write buffers per thread before writing them out; DuckDB's
-- default (524,288 rows of every column) is what made a partitioned write run out of memory.
SET partitioned_write_flush_threshold = $value;
