"""The one statement hamflow builds in Python: inserting a polars frame into a table by name.

Every other statement lives in ``sql/``. This one cannot: SQL has no parameter for a table name,
and writing one file per table would copy the same line eight times. So the table name is checked
against :data:`CONTRACT_TABLES`, the tables of ``sql/001_schema.sql``, and nothing else ever
reaches the text.
"""

from __future__ import annotations

import duckdb
import polars as pl

from .frames import registered

#: The tables of the public contract that hamflow fills from frames.
CONTRACT_TABLES: frozenset[str] = frozenset({
    "fit_files", "workouts", "workout_patterns", "segments", "samples", "strength_sets",
    "weekly_posterior_load", "file_paths", "workout_evidence", "athlete_thresholds",
})

#: The name the frame is registered under while it is inserted.
_INCOMING = "_incoming"


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Append ``frame``'s rows to ``table``, matching columns by name; nothing for an empty frame.

    BY NAME: the frame's column order does not matter, columns it lacks are null, and a column
    the table lacks is an error (nothing is dropped silently).
    """
    if table not in CONTRACT_TABLES:
        raise ValueError(f"not a hamflow table: {table!r}")
    if frame.is_empty():
        return
    with registered(con, _INCOMING, frame):
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {_INCOMING}")
