-- `hamflow export`: threads for the export's writes. One: DuckDB's partitioned write keeps the
-- order of a sorted input only when a single thread feeds it (with more, each thread's rows
-- reach a file as a run of their own, so a file's order changes from one export to the next).
SET threads = $value;
