"""Applying and migrating hamflow's schema from the .sql files in ``sql/``.

Numbered files (``001_schema.sql``, ``002_...``) are migrations, applied once each, in order, in
one transaction, and recorded in ``hamflow_meta``. Files in ``sql/views/`` are re-applied on
every write open (``CREATE OR REPLACE VIEW``), so a view change needs no migration.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import duckdb

from .connection import StoreError, transaction

_MIGRATION = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def sql_dir() -> Traversable:
    """The repository's top-level ``sql/`` folder, packaged in wheels as ``hamflow.sql``.

    Editable installs do not map that sub-package, so a source checkout reads ``sql/`` directly.
    """
    checkout = Path(__file__).resolve().parents[2] / "sql"
    if (checkout / "001_schema.sql").is_file():
        return checkout
    return resources.files("hamflow.sql")


def read_sql(name: str) -> str:
    """The text of ``sql/<name>``, e.g. ``read_sql("queries/weekly_inputs.sql")``."""
    node = sql_dir()
    for part in name.split("/"):
        node = node / part
    return node.read_text(encoding="utf-8")


def migrations() -> list[tuple[int, str]]:
    found = []
    for entry in sql_dir().iterdir():
        match = _MIGRATION.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    return sorted(found)


def views() -> list[str]:
    folder = sql_dir() / "views"
    return [e.read_text(encoding="utf-8") for e in sorted(folder.iterdir(), key=lambda e: e.name) if e.name.endswith(".sql")]


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()
    return {r[0] for r in rows}


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The applied schema version, None for an empty database; StoreError if not hamflow's."""
    tables = _tables(con)
    if "hamflow_meta" not in tables:
        if tables:
            raise StoreError("this database is not a hamflow database (it has other tables and no hamflow_meta)")
        return None
    # fetchall, not fetchone: DuckDB 2 keeps a half-read result open and blocks the connection.
    (version,), = con.execute("SELECT max(schema_version) FROM hamflow_meta").fetchall()
    return int(version) if version is not None else 0


def ensure_schema(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the database to the newest schema; returns the version. Idempotent."""
    current = schema_version(con)
    pending = [(n, text) for n, text in migrations() if current is None or n > current]
    latest = current or 0
    if pending or current is None:
        with transaction(con):
            if current is None:
                con.execute("CREATE TABLE hamflow_meta (schema_version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL)")
            for number, text in pending:
                con.execute(text)
                con.execute("INSERT INTO hamflow_meta VALUES (?, ?)", [number, datetime.now(UTC)])
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
