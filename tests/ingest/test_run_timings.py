"""Stage times in ``ingest_runs`` (sql/002_run_timings.sql, sql/010_post_write_timings.sql):
upgrading old databases, plausible values."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from hamflow.ingest import IngestOptions, ingest
from hamflow.model.config_load import load_config
from hamflow.store.connection import connection
from hamflow.store.schema import ensure_schema, migrations, read_sql

from ..helpers import make_inbox, sample

CONFIG = load_config(None)
FAST = IngestOptions(settle_s=0.0, batch_size=2)
STAGES = ("discover_s", "decode_s", "classify_s", "prepare_wait_s", "write_s", "weekly_s", "finish_s", "survey_s", "merge_s",
          "calibrate_s")


def columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position", [table]).fetchall()
    return [r[0] for r in rows]


def stage_row(db: Path, run_id: str) -> dict[str, float | None]:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(f"SELECT {', '.join(STAGES)} FROM ingest_runs WHERE run_id = ?", [run_id]).fetchone()
    assert row is not None
    return dict(zip(STAGES, row, strict=False))


def version_1_database(db: Path) -> None:
    """A database as hamflow wrote it before the timing columns existed, with one finished run."""
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE hamflow_meta (schema_version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL)")
        con.execute(read_sql("001_schema.sql"))
        con.execute("INSERT INTO hamflow_meta VALUES (1, ?)", [datetime.now(UTC)])
        con.execute("INSERT INTO ingest_runs (run_id, started_at, finished_at, status, files_seen, hamflow_version, model_version) "
                    "VALUES ('old-run', ?, ?, 'completed', 3, '0.1.0', 'm1')", [datetime.now(UTC), datetime.now(UTC)])


def test_a_database_from_before_the_timings_gains_the_columns_and_keeps_its_runs(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    version_1_database(db)
    with connection(db) as con:
        assert ensure_schema(con) == max(n for n, _ in migrations()) >= 2
        assert set(STAGES) <= set(columns(con, "ingest_runs"))
        assert con.execute("SELECT run_id, status, files_seen FROM ingest_runs").fetchall() == [("old-run", "completed", 3)]
    assert stage_row(db, "old-run") == dict.fromkeys(STAGES)  # not measured then: NULL, not a made-up 0


def test_an_upgraded_database_records_the_stage_times_of_its_next_run(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    version_1_database(db)
    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("easy_run")]})
    report = ingest([str(inbox)], db, CONFIG, FAST)
    assert report.counts.files_new == 1
    assert stage_row(db, report.run_id)["decode_s"] > 0


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Three new files, then the same files again (all known)."""
    root = tmp_path_factory.mktemp("timings")
    inbox = make_inbox(root / "inbox", {"ana": [sample("easy_run"), sample("incline_walk"), sample("track_sprints")]})
    db = root / "h.duckdb"
    return db, ingest([str(inbox)], db, CONFIG, FAST), ingest([str(inbox)], db, CONFIG, FAST)


def test_a_run_with_new_files_records_plausible_stage_times(two_runs) -> None:  # type: ignore[no-untyped-def]
    db, first, _ = two_runs
    stored = stage_row(db, first.run_id)
    assert all(v is not None and v >= 0 for v in stored.values()), stored
    assert stored["decode_s"] > 0 and stored["classify_s"] > 0 and stored["write_s"] > 0
    # Three new files of one athlete are surveyed first; the merge and calibration steps follow the writes.
    assert stored["survey_s"] > 0 and stored["merge_s"] > 0 and stored["calibrate_s"] > 0
    # Decode and classify ran inside the wait, in this process: their CPU seconds fit in its
    # wall time on every core (classify's polars may use more than one).
    assert stored["decode_s"] + stored["classify_s"] <= stored["prepare_wait_s"] * (os.cpu_count() or 1) + 0.05
    wall = (first.finished_at - first.started_at).total_seconds()
    assert first.stages.in_process_s - stored["discover_s"] <= wall  # the run row is written inside plan
    assert stored == pytest.approx({k: getattr(first.stages, k) for k in STAGES})


def test_a_rerun_records_no_decode_or_write_time(two_runs) -> None:  # type: ignore[no-untyped-def]
    db, _, rerun = two_runs
    assert rerun.counts.files_new == 0
    stored = stage_row(db, rerun.run_id)
    assert stored["decode_s"] == stored["classify_s"] == stored["write_s"] == stored["weekly_s"] == 0
    assert stored["survey_s"] == 0  # nothing new: no timeline to learn
    assert stored["discover_s"] is not None and stored["discover_s"] > 0
