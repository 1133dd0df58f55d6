"""The ``ingest_runs`` log: one row per run, written at its start and completed at its end."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import duckdb

from .. import __version__
from .sqlfiles import execute_sql


@dataclass
class RunCounts:
    """The file and row counts of one run, as stored in its ``ingest_runs`` row."""

    files_seen: int = 0
    files_new: int = 0
    files_known: int = 0
    files_quarantined: int = 0
    files_not_activity: int = 0
    files_deferred: int = 0
    workouts_added: int = 0
    weeks_updated: int = 0
    #: Workouts classified again because a threshold valid at their start changed.
    workouts_recalibrated: int = 0
    #: Files found that are not FIT (.gpx, .tcx, .csv, ...): counted, never read.
    files_not_fit: int = 0


@dataclass(frozen=True)
class StageTimes:
    """Seconds a run spent in each of hamflow's steps, stored with the run in ``ingest_runs``.

    So that a slow run can be explained afterwards from the database alone. ``decode_s`` and
    ``classify_s`` are CPU seconds of the worker processes, summed over files: with N workers
    in parallel they can add up to N times the wall time. The other figures are wall time in
    the run's own process, so :attr:`in_process_s` is the part of a run's wall time that
    hamflow's steps account for; the rest is start-up and the scheduler's own work.
    """

    discover_s: float = 0.0  # plan_run: list the inbox, path index, hash new files, run row
    decode_s: float = 0.0
    classify_s: float = 0.0
    prepare_wait_s: float = 0.0  # the run's process waiting for (or doing) decode and classify
    write_s: float = 0.0  # batch transactions, open and close included, weekly refresh excluded
    weekly_s: float = 0.0
    finish_s: float = 0.0

    @property
    def in_process_s(self) -> float:
        return self.discover_s + self.prepare_wait_s + self.write_s + self.weekly_s + self.finish_s


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, model_version: str) -> datetime:
    """Insert the run's row as ``running``; returns its start time."""
    started = datetime.now(UTC)
    execute_sql(con, "writes/start_run.sql", {"run_id": run_id, "started_at": started,
                                              "hamflow_version": __version__, "model_version": model_version})
    return started


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, counts: RunCounts, *, status: str, message: str | None = None,
               not_fit: dict[str, int] | None = None) -> None:
    """Complete the run's row with its end time, status, message, counts, and the files that
    are not FIT by extension (``not_fit``)."""
    not_fit = not_fit or {}
    execute_sql(con, "writes/finish_run.sql", {"run_id": run_id, "finished_at": datetime.now(UTC), "status": status,
                                               "message": message, "not_fit_extensions": list(not_fit),
                                               "not_fit_counts": list(not_fit.values()), **asdict(counts)})


def record_stage_times(con: duckdb.DuckDBPyConnection, run_id: str, stages: StageTimes) -> None:
    """The run row's stage columns (sql/002_run_timings.sql)."""
    execute_sql(con, "writes/record_stage_times.sql", {"run_id": run_id, **asdict(stages)})
