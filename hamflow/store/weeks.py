"""Keeping ``weekly_posterior_load`` in step with ``workouts``.

An athlete's weekly rows are a pure function of all that athlete's workouts (rolling
acute:chronic load, spacing across week boundaries, empty weeks filled), so they are
recomputed whole for every athlete a write touches, inside the same transaction. That is a few
hundred rows per athlete-year: cheap, and it can never drift out of step.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from ..model.config import HamflowConfig
from ..model.weekly import weekly_table
from .frames import fetch_frame
from .insert import insert_frame
from .sqlfiles import execute_sql, read_sql


def comparable(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows as plain comparable values (lists joined, floats rounded against float noise), so
    that a recomputation can count the rows that really changed."""
    return frame.with_columns(
        pl.col(pl.List(pl.Utf8)).list.join("|"),
        pl.col(pl.Float64).round(9),
    )


def stored_weeks(con: duckdb.DuckDBPyConnection, athletes: Sequence[str]) -> pl.DataFrame:
    """The stored weekly rows of ``athletes``."""
    return fetch_frame(con, read_sql("queries/athlete_weeks.sql"), {"athletes": list(athletes)})


def changed_weeks(old: pl.DataFrame, new: pl.DataFrame) -> frozenset[tuple[str, object]]:
    """The (athlete_id, week_start) rows of ``new`` that ``old`` does not have as they are."""
    if old.is_empty():
        changed = new.select("athlete_id", "week_start")
    else:
        cols = new.columns
        changed = (
            comparable(new)
            .join(comparable(old.select(cols)), on=cols, how="anti", nulls_equal=True)
            .select("athlete_id", "week_start")
        )
    return frozenset(changed.iter_rows())


def refresh_weeks(con: duckdb.DuckDBPyConnection, athletes: Sequence[str], config: HamflowConfig) -> frozenset[tuple[str, object]]:
    """Recompute the weeks of ``athletes``; return the (athlete_id, week_start) rows that changed."""
    if not athletes:
        return frozenset()
    params = {"athletes": list(athletes)}
    inputs = fetch_frame(con, read_sql("queries/weekly_inputs.sql"), params)
    new = weekly_table(inputs, config)
    old = stored_weeks(con, athletes)
    execute_sql(con, "writes/forget_weeks.sql", params)
    insert_frame(con, "weekly_posterior_load", new)
    return changed_weeks(old, new)
