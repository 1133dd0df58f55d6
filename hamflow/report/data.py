"""What the report shows, read from the database: plain rows, also embedded in the page as JSON
so that what a coach sees can be checked against the database.

All reads go through :mod:`hamflow.store.read`, so the report shows the same weeks as
``hamflow weeks`` and the same workouts as the ``recent_workouts`` view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import polars as pl

from ..store import read


@dataclass(frozen=True)
class AthleteReport:
    athlete_id: str
    weeks: list[dict[str, Any]]
    patterns: list[dict[str, Any]]
    workouts: list[dict[str, Any]]
    #: The thresholds in force now, each with its source and evidence (``hamflow athletes``).
    thresholds: list[dict[str, Any]]


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
    reports: list[AthleteReport] = []
    for a in athletes:
        weeks = read.weeks(con, athlete=a, n_weeks=n_weeks)
        if weeks.is_empty():
            continue
        since = weeks["week_start"].min()
        assert isinstance(since, date)  # a non-empty DATE column
        patterns = read.report_patterns(con, a, since)
        workouts = read.report_workouts(con, a, n_workouts)
        thresholds = read.athlete_thresholds(con, athlete=a)
        reports.append(AthleteReport(a, _rows(weeks), _rows(patterns), _rows(workouts), _rows(thresholds)))
    return reports
