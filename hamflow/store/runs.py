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
