"""The one statement hamflow builds in Python: inserting a polars frame into a table by name.

Every other statement lives in ``sql/``. This one cannot: SQL has no parameter for a table name,
and writing one file per table would copy the same line eight times. So the table name is checked
against :data:`CONTRACT_TABLES`, the tables of the ``sql/`` migrations, and nothing else ever
reaches the text.
"""

from __future__ import annotations

import duckdb
import polars as pl

from .frames import registered

#: The tables of the public contract that hamflow fills from frames.
CONTRACT_TABLES: frozenset[str] = frozenset({
    "fit_files", "workouts", "workout_patterns", "segments", "samples_stored", "strength_sets",
    "weekly_posterior_load", "file_paths", "workout_evidence", "athlete_thresholds",
})

#: Views of the contract that are written through a table: the view, the table its rows are
#: stored in, and the view's columns that are derived from the others and so never stored
#: (sql/009_samples_stored.sql).
STORED_IN: dict[str, tuple[str, tuple[str, ...]]] = {
    "samples": ("samples_stored", ("load", "posterior_load", "quad_load")),
}

#: The name the frame is registered under while it is inserted.
_INCOMING = "_incoming"


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Append ``frame``'s rows to ``table``, matching columns by name; nothing for an empty frame.

    BY NAME: the frame's column order does not matter, columns it lacks are null, and a column
    the table lacks is an error (nothing is dropped silently). A view of :data:`STORED_IN` takes
    the rows of its view (its derived columns, which the table does not keep, are left out).
    """
    if table in STORED_IN:
        table, derived = STORED_IN[table]
        frame = frame.drop(derived, strict=False)
    if table not in CONTRACT_TABLES:
        raise ValueError(f"not a hamflow table: {table!r}")
    if frame.is_empty():
        return
    with registered(con, _INCOMING, frame):
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {_INCOMING}")
