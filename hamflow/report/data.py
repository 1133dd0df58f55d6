"""What the report shows, read from the database: plain rows, also embedded in the page as JSON
so that what a coach sees can be checked against the database.

All reads go through :mod:`hamflow.store.read`, so the report shows the same weeks as
``hamflow weeks`` and the same workouts as the ``recent_workouts`` view."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

import duckdb
import polars as pl

from ..store import read
from .charts import every_week
from .workout import WorkoutTrace, trace

#: Weeks in the season chart: a year, or every week the athlete has if fewer.
SEASON_WEEKS: Final[int] = 52
#: The season chart's columns (the rest of a weekly row is in ``weeks``).
SEASON_COLUMNS: Final[tuple[str, ...]] = ("week_start", "workouts", "posterior_load", "quad_load", "posterior_share")


@dataclass(frozen=True)
class AthleteReport:
    athlete_id: str
    weeks: list[dict[str, Any]]
    patterns: list[dict[str, Any]]
    workouts: list[dict[str, Any]]
    #: The thresholds in force now, each with its source and evidence (``hamflow athletes``).
    thresholds: list[dict[str, Any]]
    #: Up to :data:`SEASON_WEEKS` weeks, every week present (a week without workouts loads zero).
    season: list[dict[str, Any]] = field(default_factory=list)
    #: The chart rows of each workout in ``workouts``, by ``workout_id``.
    traces: dict[str, WorkoutTrace] = field(default_factory=dict)


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    def plain(v: Any) -> Any:
        if isinstance(v, (date, datetime)):
            return v.isoformat()
        if isinstance(v, float):
            return round(v, 4)
        return v

    return [{k: plain(v) for k, v in row.items()} for row in frame.to_dicts()]


def season_weeks(weeks: pl.DataFrame) -> pl.DataFrame:
    """``weeks`` (weekly rows, oldest first) with every missing week in between added, loading
    zero and with no share: a gap in training must show as a gap, not be bridged by a line."""
    first, last = weeks["week_start"].min(), weeks["week_start"].max()
    assert isinstance(first, date) and isinstance(last, date)  # a non-empty DATE column
    every = pl.DataFrame({"week_start": every_week(first, last)}).with_columns(pl.col("week_start").str.to_date())
    return every.join(weeks.select(SEASON_COLUMNS), on="week_start", how="left").with_columns(
        pl.col("workouts", "posterior_load", "quad_load").fill_null(0)
    )


def workout_traces(con: duckdb.DuckDBPyConnection, workout_ids: list[str]) -> dict[str, WorkoutTrace]:
    """Each workout's chart rows (signals downsampled, pattern spans), read in two queries."""
    samples = read.report_workout_samples(con, workout_ids)
    segments = read.report_workout_segments(con, workout_ids)
    return {
        w: trace(samples.filter(pl.col("workout_id") == w), segments.filter(pl.col("workout_id") == w))
        for w in workout_ids
    }


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
        season = season_weeks(read.weeks(con, athlete=a, n_weeks=SEASON_WEEKS))
        traces = workout_traces(con, workouts["workout_id"].to_list())
        reports.append(AthleteReport(a, _rows(weeks), _rows(patterns), _rows(workouts), _rows(thresholds), _rows(season), traces))
    return reports
