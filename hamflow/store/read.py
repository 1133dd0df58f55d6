"""Reads for hamflow's own commands and the report. Each opens nothing: callers pass a connection.

Every query is a file in ``sql/queries/``; most build on the views of ``sql/base/`` and
``sql/views/``, which a database gets on its first write by this version of hamflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import polars as pl

from ..model.thresholds import METRIC_NAMES
from .connection import StoreError
from .frames import fetch_frame
from .sqlfiles import Params, execute_sql, read_sql


def _frame(con: duckdb.DuckDBPyConnection, name: str, params: Params = None) -> pl.DataFrame:
    """Rows of ``sql/<name>``.

    A view this hamflow's queries need can be missing from a database last written by an older
    hamflow (views are created on write, and readers open read-only): that says what to do
    instead of DuckDB's catalog error.
    """
    try:
        return fetch_frame(con, read_sql(name), params)
    except duckdb.CatalogException as exc:
        raise older_hamflow(exc) from exc


def older_hamflow(exc: duckdb.CatalogException) -> StoreError:
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return StoreError(f"this database was last written by an older hamflow ({first}); run `hamflow ingest` "
                      "or `hamflow reprocess` once to bring its views up to date")


def weeks(con: duckdb.DuckDBPyConnection, *, athlete: str | None = None, n_weeks: int = 12) -> pl.DataFrame:
    """The latest ``n_weeks`` weekly rows per athlete (or of ``athlete``), oldest first."""
    return _frame(con, "queries/weeks.sql", {"athlete": athlete, "weeks": n_weeks})


def current_weeks(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Each athlete's latest week (the week a nightly run most likely touched)."""
    return weeks(con, n_weeks=1)


def workouts(con: duckdb.DuckDBPyConnection, *, athlete: str | None = None, since: date | None = None, limit: int = 50) -> pl.DataFrame:
    """Workouts newest first, rounded for reading, optionally of one athlete and from a date on."""
    return _frame(con, "queries/workouts.sql", {"athlete": athlete, "since": since, "limit": limit})


def athlete_thresholds(con: duckdb.DuckDBPyConnection, *, athlete: str | None = None) -> pl.DataFrame:
    """Each athlete's thresholds in force now, with where each came from, in the declared order
    of the metrics (``hamflow.model.thresholds.METRICS``)."""
    frame = _frame(con, "queries/athlete_thresholds_now.sql", {"athlete": athlete})
    if frame.is_empty():
        return frame
    order = pl.DataFrame({"metric": list(METRIC_NAMES), "_order": list(range(len(METRIC_NAMES)))})
    return frame.join(order, on="metric", how="left").sort("athlete_id", "_order").drop("_order")


def report_patterns(con: duckdb.DuckDBPyConnection, athlete: str, since: date) -> pl.DataFrame:
    """Minutes per movement pattern per week of ``athlete``, from the week ``since`` on."""
    return _frame(con, "queries/report_patterns.sql", {"athlete": athlete, "since": since})


def report_workouts(con: duckdb.DuckDBPyConnection, athlete: str, limit: int) -> pl.DataFrame:
    """The latest ``limit`` workouts of ``athlete`` with their verdict, for the report."""
    return _frame(con, "queries/report_workouts.sql", {"athlete": athlete, "limit": limit})


def report_workout_samples(con: duckdb.DuckDBPyConnection, workout_ids: list[str]) -> pl.DataFrame:
    """The per-second speed, grade, power and heart rate of ``workout_ids``, each in time order."""
    return _frame(con, "queries/report_workout_samples.sql", {"ids": workout_ids})


def report_workout_segments(con: duckdb.DuckDBPyConnection, workout_ids: list[str]) -> pl.DataFrame:
    """The pattern spans (segments) of ``workout_ids``, each in order."""
    return _frame(con, "queries/report_workout_segments.sql", {"ids": workout_ids})


def guidance_workouts(con: duckdb.DuckDBPyConnection, athlete: str, since: date, until: datetime) -> pl.DataFrame:
    """What ``hamflow next`` reads of ``athlete``'s workouts: from ``since`` up to ``until``, and
    the latest one up to ``until``, oldest first."""
    return _frame(con, "queries/guidance_workouts.sql", {"athlete": athlete, "since": since, "until": until})


def guidance_weeks(con: duckdb.DuckDBPyConnection, athlete: str, since: date) -> pl.DataFrame:
    """``athlete``'s weekly rows from the week of ``since`` on."""
    return _frame(con, "queries/guidance_weeks.sql", {"athlete": athlete, "since": since})


def athletes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every athlete with a file in the database, in order."""
    return [r[0] for r in execute_sql(con, "queries/athletes.sql").fetchall()]


class UnknownAthlete(StoreError):
    """An athlete the database has no files of; the message lists the ones it has."""


def require_athlete(con: duckdb.DuckDBPyConnection, athlete: str) -> None:
    """Raise :class:`UnknownAthlete` unless the database has files of ``athlete``: a typo must
    not read as "no data yet", which is a different and wrong answer."""
    known = athletes(con)
    if athlete not in known:
        raise UnknownAthlete(f"no athlete {athlete!r} in this database; known athletes: {', '.join(known) or 'none yet'}")


@dataclass(frozen=True, slots=True)
class QueryResult:
    """A user's query result as DuckDB's Python values: any type a query can return (INTERVAL,
    DECIMAL, UUID, BLOB, nested types...), where a polars frame has no dtype for some."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


def query(con: duckdb.DuckDBPyConnection, sql: str) -> QueryResult:
    """Run a user's query. The caller opens ``con`` read-only, so it cannot change the database;
    external access is switched off first, so it cannot read or write any other file either."""
    execute_sql(con, "session/no_external_access.sql")
    relation: duckdb.DuckDBPyRelation | None = con.sql(sql)
    if relation is None:  # a statement without a result (CHECKPOINT)
        return QueryResult([], [])
    return QueryResult(list(relation.columns), relation.fetchall())
