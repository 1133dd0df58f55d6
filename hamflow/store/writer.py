"""Writing prepared files: one short transaction per batch, with the weekly rows they touch.

A crash (even kill -9) at any point leaves the database as it was before the batch: DuckDB's
write-ahead log replays a transaction whole or not at all. The next run sees the files as new
and completes them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import polars as pl

from ..model.config import HamflowConfig
from .connection import transaction
from .faults import crash_point
from .frames import registered
from .insert import insert_frame
from .paths import RETRIED_REASONS, remember_paths
from .prepared import PreparedFile
from .sqlfiles import execute_sql
from .weeks import refresh_weeks

#: Child tables filled from prepared frames, in write order.
_FRAME_TABLES = ("workouts", "workout_patterns", "segments", "samples", "strength_sets", "workout_evidence")

_FILE_COLUMNS = (
    "file_sha256", "path", "size_bytes", "athlete_id", "status", "reason", "decoder",
    "decoder_version", "ingested_at", "run_id", "file_type", "manufacturer", "product",
    "serial_number", "decode_status", "detail", "warnings",
)


@dataclass(frozen=True)
class WriteResult:
    files_written: int
    files_skipped: int  # already present (another run wrote them first)
    workouts_added: int
    weeks: frozenset[tuple[str, object]]  # (athlete_id, week_start) rows added or changed
    athletes: tuple[str, ...]
    #: Seconds in the transaction apart from the weekly refresh, and in the weekly refresh:
    #: reported per run so a slow write can be told from a slow weekly recomputation.
    write_s: float = 0.0
    weekly_s: float = 0.0


def _file_rows(files: Sequence[PreparedFile], run_id: str, now: datetime) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "file_sha256": [f.sha256 for f in files],
            "path": [f.path for f in files],
            "size_bytes": [f.size_bytes for f in files],
            "athlete_id": [f.athlete_id for f in files],
            "status": [f.status for f in files],
            "reason": [f.reason for f in files],
            "decoder": [f.decoder for f in files],
            "decoder_version": [f.decoder_version for f in files],
            "ingested_at": [now] * len(files),
            "run_id": [run_id] * len(files),
            "file_type": [f.file_type for f in files],
            "manufacturer": [f.manufacturer for f in files],
            "product": [f.product for f in files],
            "serial_number": [f.serial_number for f in files],
            "decode_status": [f.decode_status for f in files],
            "detail": [f.detail for f in files],
            "warnings": [list(f.warnings) for f in files],
        },
        schema_overrides={
            "ingested_at": pl.Datetime("us", "UTC"),
            "serial_number": pl.Int64,
            "warnings": pl.List(pl.Utf8),
            "reason": pl.Utf8, "detail": pl.Utf8, "file_type": pl.Utf8, "manufacturer": pl.Utf8,
            "product": pl.Utf8, "decode_status": pl.Utf8,
        },
    )


def sample_count(files: Sequence[PreparedFile]) -> int:
    """The rows of ``samples`` that writing ``files`` appends: what a write transaction is sized by."""
    return sum(f.samples.height for f in files)


def known_hashes(con: duckdb.DuckDBPyConnection, hashes: Sequence[str]) -> set[str]:
    """The ``hashes`` already in ``fit_files`` for good (see :data:`RETRIED_REASONS`)."""
    if not hashes:
        return set()
    with registered(con, "_hashes", pl.DataFrame({"h": list(hashes)}, schema={"h": pl.Utf8})):
        rows = execute_sql(con, "queries/known_hashes.sql", {"retried_reasons": list(RETRIED_REASONS)}).fetchall()
    return {r[0] for r in rows}


def _forget_too_large(con: duckdb.DuckDBPyConnection, hashes: Sequence[str]) -> None:
    """Drop earlier rows of these files quarantined for a retried reason (too_large, unreadable,
    changed_during_read): this run's verdict replaces them."""
    if hashes:
        with registered(con, "_retry", pl.DataFrame({"h": list(hashes)}, schema={"h": pl.Utf8})):
            execute_sql(con, "writes/forget_retried_files.sql", {"retried_reasons": list(RETRIED_REASONS)})


def write_batch(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[PreparedFile],
    *,
    run_id: str,
    weekly_params: HamflowConfig,
) -> WriteResult:
    """Write ``files`` and refresh the weeks of their athletes, in one transaction.

    Files whose hash is already in ``fit_files`` are skipped (a concurrent run got there first),
    so writing is idempotent. ``weekly_params`` is passed to :func:`refresh_weeks`.
    """
    started = time.perf_counter()
    with transaction(con):
        present = known_hashes(con, [f.sha256 for f in files])
        seen: set[str] = set()
        fresh: list[PreparedFile] = []
        for f in files:
            if f.sha256 in present or f.sha256 in seen:
                continue
            seen.add(f.sha256)
            fresh.append(f)
        now = datetime.now(UTC)
        _forget_too_large(con, [f.sha256 for f in fresh])
        insert_frame(con, "fit_files", _file_rows(fresh, run_id, now))
        remember_paths(con, [f.path_entry for f in files])
        crash_point("write:files")
        for table in _FRAME_TABLES:
            frames = [getattr(f, table) for f in fresh if not getattr(f, table).is_empty()]
            if frames:
                insert_frame(con, table, pl.concat(frames, how="diagonal_relaxed"))
            crash_point(f"write:{table}")
        athletes = sorted({f.athlete_id for f in fresh if f.workout_count})
        weekly_started = time.perf_counter()
        weeks = refresh_weeks(con, athletes, weekly_params) if athletes else frozenset()
        weekly_s = time.perf_counter() - weekly_started
        crash_point("write:weeks")
    crash_point("write:committed")
    return WriteResult(
        files_written=len(fresh),
        files_skipped=len(files) - len(fresh),
        workouts_added=sum(f.workout_count for f in fresh),
        weeks=weeks,
        athletes=tuple(athletes),
        write_s=time.perf_counter() - started - weekly_s,
        weekly_s=weekly_s,
    )
