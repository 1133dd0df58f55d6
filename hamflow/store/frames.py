"""Query results as polars frames, on every DuckDB the project supports (1.4 to 2.x).

DuckDB 2.0 dropped ``.pl()`` from connections (it stays on relations) and copies rows when a
DB-API result is turned into Arrow; a relation from ``con.sql`` avoids both.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import polars as pl


def fetch_frame(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | Sequence[Any] | None = None) -> pl.DataFrame:
    """Run ``sql`` with bound ``params`` and return all rows as a polars frame (empty when the
    statement returns no rows)."""
    relation: duckdb.DuckDBPyRelation | None = con.sql(sql, params=params)
    if relation is None:  # a statement without a result (typeshed says it always has one)
        return pl.DataFrame()
    frame: pl.DataFrame = relation.pl()
    return frame


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> Iterator[None]:
    """Make ``frame`` queryable as ``name`` inside the block.

    The view is dropped when the block succeeds. On an error it is left alone: the transaction
    is aborted by then, DuckDB refuses every statement until ROLLBACK, and an unregister would
    replace the real error with "transaction is aborted". The next register of the name
    replaces it anyway.
    """
    con.register(name, frame.to_arrow())
    yield
    con.unregister(name)
