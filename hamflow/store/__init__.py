"""The DuckDB store: schema and migrations (``sql/``), batch writes, reads for the CLI and the
report, and the weekly refresh."""
