"""The ``ingest_runs`` log: one row per run, written at its start and completed at its end."""

from __future__ import annotations

import os
import socket
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
    #: Workouts classified again because the streams they borrow from another recording of
    #: the same workout changed.
    workouts_merged: int = 0
    #: Files found that are not FIT (.gpx, .tcx, .csv, ...): counted, never read.
    files_not_fit: int = 0


@dataclass(frozen=True)
class StageTimes:
    """Seconds a run spent in each of hamflow's steps, stored with the run in ``ingest_runs``.

    So that a slow run can be explained afterwards from the database alone. ``decode_s`` and
    ``classify_s`` are CPU seconds of the worker processes, summed over files: with N workers
    in parallel they can add up to N times the wall time. In the local engine, whose threads
    share one process, they are the process's CPU while each file was prepared, the other
    threads' (and the writes') included: an overstatement, up to the number of threads. The
    other figures are wall time in the run's own process, so :attr:`in_process_s` is the part of
    a run's wall time that hamflow's steps account for; the rest is start-up and the
    scheduler's own work.
    """

    discover_s: float = 0.0  # plan_run: list the inbox, path index, hash new files, run row
    decode_s: float = 0.0
    classify_s: float = 0.0
    prepare_wait_s: float = 0.0  # the run's process waiting for (or doing) decode and classify
    write_s: float = 0.0  # batch transactions, open and close included, weekly refresh excluded
    weekly_s: float = 0.0
    finish_s: float = 0.0
    #: Learning the thresholds timelines before classifying: stored candidates, and the survey
    #: of new files when it runs (waited for, like ``prepare_wait_s``).
    survey_s: float = 0.0
    merge_s: float = 0.0  # merging recordings of one workout, after the writes
    calibrate_s: float = 0.0  # recalibrating thresholds and the workouts they change, after the merge

    @property
    def in_process_s(self) -> float:
        return (self.discover_s + self.survey_s + self.prepare_wait_s + self.write_s + self.weekly_s + self.merge_s
                + self.calibrate_s + self.finish_s)


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, model_version: str) -> datetime:
    """Insert the run's row as ``running``, owned by this process; returns its start time.

    Runs left ``running`` by a process that is gone are marked ``abandoned`` first.
    """
    started = datetime.now(UTC)
    abandon_dead_runs(con, run_id, started)
    execute_sql(con, "writes/start_run.sql", {"run_id": run_id, "started_at": started, "hamflow_version": __version__,
                                              "model_version": model_version, "host": socket.gethostname(), "pid": os.getpid()})
    return started


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def abandon_dead_runs(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime) -> list[str]:
    """Mark ``abandoned`` the runs still ``running`` whose process is gone; returns their ids.

    Only runs started on this machine can be checked (their process id means something here);
    a run from before hamflow recorded its process has no owner to wait for. A run on another
    machine stays ``running`` until that machine's next run looks at it.
    """
    host = socket.gethostname()
    gone = []
    for other, other_host, pid, started in execute_sql(con, "queries/running_runs.sql", {"run_id": run_id}).fetchall():
        if other_host is None or (other_host == host and pid is not None and not _alive(pid)):
            whose = f"process {pid} on {other_host}" if other_host is not None else "a process hamflow did not record"
            message = (f"abandoned: started {started:%Y-%m-%d %H:%M} UTC and never finished; "
                       f"its {whose} was gone when run {run_id} started")
            execute_sql(con, "writes/abandon_run.sql", {"run_id": other, "noticed_at": now, "message": message})
            gone.append(other)
    return gone


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, counts: RunCounts, *, status: str, message: str | None = None,
               not_fit: dict[str, int] | None = None) -> None:
    """Complete the run's row with its end time, status, message, counts, and the files that
    are not FIT by extension (``not_fit``)."""
    not_fit = not_fit or {}
    execute_sql(con, "writes/finish_run.sql", {"run_id": run_id, "finished_at": datetime.now(UTC), "status": status,
                                               "message": message, "not_fit_extensions": list(not_fit),
                                               "not_fit_counts": list(not_fit.values()), **asdict(counts)})


def record_stage_times(con: duckdb.DuckDBPyConnection, run_id: str, stages: StageTimes) -> None:
    """The run row's stage columns (sql/002_run_timings.sql, sql/010_post_write_timings.sql)."""
    execute_sql(con, "writes/record_stage_times.sql", {"run_id": run_id, **asdict(stages)})
