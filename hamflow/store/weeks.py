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
from .frames import fetch_frame, registered
from .schema import read_sql


def _comparable(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows as plain comparable values (lists joined, floats rounded against float noise)."""
    return frame.with_columns(
        pl.col(pl.List(pl.Utf8)).list.join("|"),
        pl.col(pl.Float64).round(9),
    )


def refresh_weeks(con: duckdb.DuckDBPyConnection, athletes: Sequence[str], config: HamflowConfig) -> frozenset[tuple[str, object]]:
    """Recompute the weeks of ``athletes``; return the (athlete_id, week_start) rows that changed."""
    if not athletes:
        return frozenset()
    inputs = fetch_frame(con, read_sql("queries/weekly_inputs.sql"), {"athletes": list(athletes)})
    new = weekly_table(inputs, config)
    with registered(con, "_athletes", pl.DataFrame({"athlete_id": list(athletes)})):
        old = fetch_frame(con, "SELECT * FROM weekly_posterior_load WHERE athlete_id IN (SELECT athlete_id FROM _athletes)")
        con.execute("DELETE FROM weekly_posterior_load WHERE athlete_id IN (SELECT athlete_id FROM _athletes)")
    if not new.is_empty():
        with registered(con, "_weeks", new):
            con.execute("INSERT INTO weekly_posterior_load BY NAME SELECT * FROM _weeks")
    if old.is_empty():
        changed = new.select("athlete_id", "week_start")
    else:
        cols = new.columns
        changed = _comparable(new).join(_comparable(old.select(cols)), on=cols, how="anti", nulls_equal=True).select("athlete_id", "week_start")
    return frozenset(changed.iter_rows())
