"""What the report shows, read from the database: plain rows, also embedded in the page as JSON
so that what a coach sees can be checked against the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import polars as pl

from ..store import read
from ..store.frames import fetch_frame
from ..store.schema import read_sql


@dataclass(frozen=True)
class AthleteReport:
    athlete_id: str
    weeks: list[dict[str, Any]]
    patterns: list[dict[str, Any]]
    workouts: list[dict[str, Any]]


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    def plain(v: Any) -> Any:
        if isinstance(v, (date, datetime)):
            return v.isoformat()
        if isinstance(v, float):
            return round(v, 4)
        return v

    return [{k: plain(v) for k, v in row.items()} for row in frame.to_dicts()]


def load(con: duckdb.DuckDBPyConnection, *, athlete: str | None = None, n_weeks: int = 12, n_workouts: int = 10) -> list[AthleteReport]:
    athletes = [a for a in read.athletes(con) if athlete is None or a == athlete]
    reports = []
    for a in athletes:
        weeks = fetch_frame(con, read_sql("queries/report_weeks.sql"), {"athlete": a, "weeks": n_weeks})
        if weeks.is_empty():
            continue
        since = weeks["week_start"].min()
        patterns = fetch_frame(con, read_sql("queries/report_patterns.sql"), {"athlete": a, "since": since})
        workouts = fetch_frame(con, read_sql("queries/report_workouts.sql"), {"athlete": a, "limit": n_workouts})
        reports.append(AthleteReport(a, _rows(weeks), _rows(patterns), _rows(workouts)))
    return reports
