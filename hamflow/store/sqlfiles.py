"""Finding and reading the ``.sql`` files: every SQL statement hamflow runs lives in ``sql/``.

Keeping the SQL in files (and out of Python strings) lets a reader see the whole database side
of hamflow in one folder, lets dashboards reuse the same views, and keeps values out of SQL text:
Python only binds parameters (``$name``) to the statements it reads from here.

This module imports nothing else from the store, so the connection code can use it too.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import duckdb

#: Parameters bound to a statement: ``$name`` markers take a mapping, ``?`` markers a sequence.
Params = dict[str, Any] | list[Any] | None


def sql_dir() -> Traversable:
    """The repository's top-level ``sql/`` folder, packaged in wheels as ``hamflow.sql``.

    Editable installs do not map that sub-package, so a source checkout reads ``sql/`` directly.
    """
    checkout = Path(__file__).resolve().parents[2] / "sql"
    if (checkout / "001_schema.sql").is_file():
        return checkout
    return resources.files("hamflow.sql")


@cache
def read_sql(name: str) -> str:
    """The text of ``sql/<name>``, e.g. ``read_sql("queries/weekly_inputs.sql")``.

    Cached: the files ship with the code and do not change while it runs, and some statements
    run once per batch or per connection.
    """
    node = sql_dir()
    for part in name.split("/"):
        node = node / part
    return node.read_text(encoding="utf-8")


def execute_sql(con: duckdb.DuckDBPyConnection, name: str, params: Params = None) -> duckdb.DuckDBPyConnection:
    """Run the statement in ``sql/<name>`` with ``params`` bound; returns ``con`` for fetching.

    A file without parameters may hold several statements; they run in order.
    """
    return con.execute(read_sql(name), params)
