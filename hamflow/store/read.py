"""Queries for hamflow's own read commands. Each opens nothing: callers pass a connection."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from .frames import fetch_frame
from .schema import read_sql

#: Tables exported to Parquet, and whether they are partitioned by week (all are by athlete).
EXPORT_TABLES: dict[str, str] = {
    "weekly_posterior_load": "SELECT * FROM weekly_posterior_load WHERE athlete_id = $athlete",
    "workouts": "SELECT * FROM workouts WHERE athlete_id = $athlete",
    "segments": "SELECT w.week_start, s.* FROM segments s JOIN workouts w USING (workout_id) WHERE w.athlete_id = $athlete",
    "samples": "SELECT w.week_start, s.* FROM samples s JOIN workouts w USING (workout_id) WHERE w.athlete_id = $athlete",
    "fit_files": "SELECT * FROM fit_files WHERE athlete_id = $athlete",
}


def weeks(con: duckdb.DuckDBPyConnection, *, athlete: str | None = None, n_weeks: int = 12) -> pl.DataFrame:
    return fetch_frame(con, read_sql("queries/weeks.sql"), {"athlete": athlete, "weeks": n_weeks})


def workouts(con: duckdb.DuckDBPyConnection, *, athlete: str | None = None, since: date | None = None, limit: int = 50) -> pl.DataFrame:
    return fetch_frame(con, read_sql("queries/workouts.sql"), {"athlete": athlete, "since": since, "limit": limit})


def athletes(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(read_sql("queries/athletes.sql")).fetchall()]


def query(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    """Run a user's query. The caller opens ``con`` read-only, so it cannot change anything."""
    return fetch_frame(con, sql)


def export_parquet(con: duckdb.DuckDBPyConnection, out_dir: Path) -> dict[str, int]:
    """Write every table as Parquet under ``out_dir/<table>/athlete_id=<id>/[week_start=<date>/]``.

    One athlete at a time, so memory stays bounded by the largest athlete. Returns rows per table.
    """
    rows: dict[str, int] = {}
    for athlete in athletes(con):
        for table, sql in EXPORT_TABLES.items():
            frame = fetch_frame(con, sql, {"athlete": athlete})
            rows[table] = rows.get(table, 0) + frame.height
            if frame.is_empty():
                continue
            target = out_dir / table / f"athlete_id={athlete}"
            target.mkdir(parents=True, exist_ok=True)
            frame = frame.drop("athlete_id", strict=False)
            if "week_start" in frame.columns:
                frame.write_parquet(target, partition_by="week_start")
            else:
                frame.write_parquet(target / "data.parquet")
    return rows
