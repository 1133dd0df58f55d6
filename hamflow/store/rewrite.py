"""Reading an athlete's stored workouts back and rewriting them in place, for ``hamflow reprocess``.

The model runs in :mod:`hamflow.ingest.reprocess`; this module is only the database side: what
the model needs from the store, and how its new rows replace the old ones. The caller holds the
transaction, so an athlete is rewritten whole or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from .frames import fetch_frame, registered
from .insert import insert_frame
from .sqlfiles import execute_sql, read_sql

#: The per-workout tables that are recomputed with their workout.
CHILD_TABLES: tuple[str, ...] = ("samples", "segments", "workout_patterns", "strength_sets", "workout_evidence")


@dataclass(frozen=True)
class StoredAthlete:
    """One athlete's stored rows: the model's input for reprocessing."""

    workouts: pl.DataFrame  # every column of workouts, by workout_id
    samples: pl.DataFrame
    strength_sets: pl.DataFrame


def workout_athletes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every athlete with a stored workout, in order."""
    return [r[0] for r in execute_sql(con, "queries/workout_athletes.sql").fetchall()]


def stored_workouts(con: duckdb.DuckDBPyConnection, athlete: str) -> pl.DataFrame:
    """Every column of ``athlete``'s workouts, without their samples."""
    return fetch_frame(con, read_sql("queries/athlete_workouts.sql"), {"athlete": athlete})


def stored_athlete(con: duckdb.DuckDBPyConnection, athlete: str, only: Sequence[str] | None = None) -> StoredAthlete:
    """The workouts, samples and strength sets of ``athlete`` (of the workouts in ``only``)."""
    if only is not None:
        ids = {"ids": list(only)}
        return StoredAthlete(
            workouts=stored_workouts(con, athlete).filter(pl.col("workout_id").is_in(list(only))),
            samples=fetch_frame(con, read_sql("queries/workout_samples.sql"), ids),
            strength_sets=fetch_frame(con, read_sql("queries/workout_strength_sets.sql"), ids),
        )
    params = {"athlete": athlete}
    return StoredAthlete(
        workouts=stored_workouts(con, athlete),
        samples=fetch_frame(con, read_sql("queries/athlete_samples.sql"), params),
        strength_sets=fetch_frame(con, read_sql("queries/athlete_strength_sets.sql"), params),
    )


#: The columns of a workout's role among the recordings of one workout (sql/006_duplicates.sql).
ROLE_SCHEMA: dict[str, pl.DataType] = {
    "workout_id": pl.Utf8(), "duplicate_of": pl.Utf8(), "clock_offset_s": pl.Float64(), "merged_streams": pl.List(pl.Utf8),
}


def replace_roles(con: duckdb.DuckDBPyConnection, roles: pl.DataFrame) -> None:
    """Set the role columns of the workouts in ``roles`` (columns :data:`ROLE_SCHEMA`);
    call inside the caller's transaction."""
    if roles.is_empty():
        return
    with registered(con, "_roles", roles.select(list(ROLE_SCHEMA)).cast(ROLE_SCHEMA)):  # type: ignore[arg-type]
        execute_sql(con, "writes/update_duplicate_roles.sql")


def replace_workouts(con: duckdb.DuckDBPyConnection, workouts: pl.DataFrame, children: Mapping[str, pl.DataFrame]) -> None:
    """Replace stored workouts with ``workouts`` (every column, matched by ``workout_id``) and
    their per-workout rows with ``children`` (table name -> rows, tables of :data:`CHILD_TABLES`).

    Call inside the caller's transaction.
    """
    with registered(con, "_ids", workouts.select("workout_id")):
        execute_sql(con, "writes/forget_workout_children.sql")
    with registered(con, "_new", workouts):
        execute_sql(con, "writes/update_workouts.sql")
    for table, frame in children.items():
        if table not in CHILD_TABLES:
            raise ValueError(f"not a per-workout table: {table!r}")
        insert_frame(con, table, frame)
