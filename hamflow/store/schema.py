"""Applying and migrating hamflow's schema from the .sql files in ``sql/``.

Numbered files (``001_schema.sql``, ``002_...``) are migrations, applied once each, in order, in
one transaction, and recorded in ``hamflow_meta``. Views are re-applied on every write open
(``CREATE OR REPLACE VIEW``), so a view change needs no migration and an existing database gets
new views on its next write: first the base views in ``sql/base/`` (building blocks such as each
athlete's latest week), then the dashboard views in ``sql/views/`` that build on them. Each
folder is applied in file-name order, so a view may use the views of lower numbers.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import duckdb

from .connection import StoreError, transaction
from .sqlfiles import execute_sql, read_sql, sql_dir

__all__ = ["ensure_schema", "migrations", "read_sql", "require_schema", "schema_version", "sql_dir", "views"]

_MIGRATION = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
#: View folders, in the order they are applied: later folders may use earlier folders' views.
_VIEW_FOLDERS = ("base", "views")


def migrations() -> list[tuple[int, str]]:
    """(number, text) of every migration file, in order."""
    found: list[tuple[int, str]] = []
    for entry in sql_dir().iterdir():
        match = _MIGRATION.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    return sorted(found)


def views() -> list[str]:
    """The ``CREATE OR REPLACE VIEW`` texts of ``sql/base/`` and then ``sql/views/``, in order."""
    texts: list[str] = []
    for name in _VIEW_FOLDERS:
        folder = sql_dir() / name
        texts += [e.read_text(encoding="utf-8") for e in sorted(folder.iterdir(), key=lambda e: e.name) if e.name.endswith(".sql")]
    return texts


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = execute_sql(con, "meta/main_tables.sql").fetchall()
    return {r[0] for r in rows}


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The applied schema version, None for an empty database; StoreError if not hamflow's."""
    tables = _tables(con)
    if "hamflow_meta" not in tables:
        if tables:
            raise StoreError("this database is not a hamflow database (it has other tables and no hamflow_meta)")
        return None
    # fetchall, not fetchone: DuckDB 2 keeps a half-read result open and blocks the connection.
    (version,), = execute_sql(con, "meta/schema_version.sql").fetchall()
    return int(version) if version is not None else 0


def ensure_schema(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the database to the newest schema; returns the version. Idempotent."""
    current = schema_version(con)
    pending = [(n, text) for n, text in migrations() if current is None or n > current]
    latest = current or 0
    if pending or current is None:
        with transaction(con):
            if current is None:
                execute_sql(con, "meta/create_meta.sql")
            for number, text in pending:
                con.execute(text)
                execute_sql(con, "meta/record_migration.sql", {"version": number, "applied_at": datetime.now(UTC)})
                latest = number
            for text in views():
                con.execute(text)
    else:
        for text in views():
            con.execute(text)
    known = max((n for n, _ in migrations()), default=0)
    if latest > known:
        raise StoreError(f"database schema version {latest} is newer than this hamflow understands ({known}); upgrade hamflow")
    return latest


def require_schema(con: duckdb.DuckDBPyConnection) -> int:
    """For readers: the database must already be a hamflow database."""
    version = schema_version(con)
    if version is None:
        raise StoreError("this database is empty: nothing has been ingested yet")
    return version
