"""The database side of athlete thresholds: stored candidates and timelines, read and replaced.

The timelines themselves are computed in :mod:`hamflow.model.thresholds`; the caller holds the
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from ..model.thresholds import ThresholdRow
from .frames import fetch_frame
from .insert import insert_frame
from .sqlfiles import execute_sql, read_sql

THRESHOLD_SCHEMA: dict[str, pl.DataType] = {
    "athlete_id": pl.Utf8(), "metric": pl.Utf8(), "value": pl.Float64(), "valid_from": pl.Datetime("us", "UTC"),
    "source": pl.Utf8(), "workout_id": pl.Utf8(), "evidence": pl.Utf8(),
}


def stored_evidence(con: duckdb.DuckDBPyConnection, athletes: Sequence[str]) -> pl.DataFrame:
    """The ``workout_evidence`` rows of ``athletes``."""
    return fetch_frame(con, read_sql("queries/workout_evidence.sql"), {"athletes": list(athletes)})


def stored_thresholds(con: duckdb.DuckDBPyConnection, athletes: Sequence[str]) -> pl.DataFrame:
    """The ``athlete_thresholds`` rows of ``athletes``, in timeline order."""
    frame = fetch_frame(con, read_sql("queries/athlete_thresholds.sql"), {"athletes": list(athletes)})
    return frame.cast(THRESHOLD_SCHEMA) if not frame.is_empty() else pl.DataFrame(schema=THRESHOLD_SCHEMA)  # type: ignore[arg-type]


def threshold_frame(rows: Sequence[ThresholdRow]) -> pl.DataFrame:
    """Rows as an ``athlete_thresholds`` frame, in the stored order."""
    frame = pl.DataFrame(
        [{"athlete_id": r.athlete_id, "metric": r.metric, "value": r.value, "valid_from": r.valid_from,
          "source": r.source, "workout_id": r.workout_id, "evidence": r.evidence} for r in rows],
        schema=THRESHOLD_SCHEMA,
    )
    return frame.sort(["athlete_id", "metric", "valid_from", "workout_id"], nulls_last=False)


def replace_thresholds(con: duckdb.DuckDBPyConnection, athlete: str, rows: pl.DataFrame) -> None:
    """Replace ``athlete``'s threshold rows with ``rows``."""
    execute_sql(con, "writes/forget_athlete_thresholds.sql", {"athlete": athlete})
    insert_frame(con, "athlete_thresholds", rows)
