"""Query results as polars frames, and frames as tables to query, on every DuckDB the project
supports (1.4 to 2.x).

DuckDB 2.0 dropped ``.pl()`` from connections (it stays on relations) and copies rows when a
DB-API result is turned into Arrow; a relation from ``con.sql`` avoids both.

Both directions go through the Arrow C stream interface (``__arrow_c_stream__``), which polars
and DuckDB speak directly, rather than through pyarrow tables: ``.pl()`` and ``frame.to_arrow()``
import pyarrow, about 40 MB of libraries in the process that writes, for an ingest that
otherwise never needs them (docs/benchmarks.md). The results are the same frames, column types
included.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Final

import duckdb
import polars as pl


def fetch_frame(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | Sequence[Any] | None = None) -> pl.DataFrame:
    """Run ``sql`` with bound ``params`` and return all rows as a polars frame (empty when the
    statement returns no rows)."""
    relation: duckdb.DuckDBPyRelation | None = con.sql(sql, params=params)
    if relation is None:  # a statement without a result (typeshed says it always has one)
        return pl.DataFrame()
    return pl.DataFrame(relation)


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> Iterator[None]:
    """Make ``frame`` queryable as ``name`` inside the block.

    The view is dropped when the block succeeds. On an error it is left alone: the transaction
    is aborted by then, DuckDB refuses every statement until ROLLBACK, and an unregister would
    replace the real error with "transaction is aborted". The next register of the name
    replaces it anyway.
    """
    con.register(name, _ArrowStream(frame) if _SCANS_STREAMS_AGAIN else frame.to_arrow())
    yield
    con.unregister(name)


#: Whether this DuckDB asks a registered Arrow stream object for a new stream each time a
#: statement scans it (2.0 and later). DuckDB 1.4 keeps the first stream, so a second scan
#: (a statement that names the table twice, or a second statement) fails; there the frame is
#: registered as a pyarrow table, as before.
_SCANS_STREAMS_AGAIN: Final = int(duckdb.__version__.split(".")[0]) >= 2


class _ArrowStream:
    """A frame as DuckDB sees an Arrow stream: a fresh stream of its rows on each scan.

    A polars frame itself would not do: DuckDB recognises one and converts it with pyarrow."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        return self.frame.__arrow_c_stream__(requested_schema)
