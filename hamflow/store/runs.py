"""The ``ingest_runs`` log: one row per run, written at its start and completed at its end."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import duckdb

from .. import __version__


@dataclass
class RunCounts:
    files_seen: int = 0
    files_new: int = 0
    files_known: int = 0
    files_quarantined: int = 0
    files_not_activity: int = 0
    files_deferred: int = 0
    workouts_added: int = 0
    weeks_updated: int = 0



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
    started = datetime.now(UTC)
    con.execute(
        "INSERT INTO ingest_runs (run_id, started_at, status, hamflow_version, model_version) VALUES (?, ?, 'running', ?, ?)",
        [run_id, started, __version__, model_version],
    )
    return started


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, counts: RunCounts, *, status: str, message: str | None = None) -> None:
    values = asdict(counts)
    con.execute(
        "UPDATE ingest_runs SET finished_at = ?, status = ?, message = ?, files_seen = ?, files_new = ?, "
        "files_known = ?, files_quarantined = ?, files_not_activity = ?, files_deferred = ?, "
        "workouts_added = ?, weeks_updated = ? WHERE run_id = ?",
        [datetime.now(UTC), status, message, values["files_seen"], values["files_new"], values["files_known"],
         values["files_quarantined"], values["files_not_activity"], values["files_deferred"],
         values["workouts_added"], values["weeks_updated"], run_id],
    )


def record_stage_times(con: duckdb.DuckDBPyConnection, run_id: str, stages: StageTimes) -> None:
    """The run row's stage columns (sql/002_run_timings.sql)."""
    con.execute(
        "UPDATE ingest_runs SET discover_s = ?, decode_s = ?, classify_s = ?, prepare_wait_s = ?, "
        "write_s = ?, weekly_s = ?, finish_s = ? WHERE run_id = ?",
        [stages.discover_s, stages.decode_s, stages.classify_s, stages.prepare_wait_s,
         stages.write_s, stages.weekly_s, stages.finish_s, run_id],
    )
