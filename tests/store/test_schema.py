"""Schema creation, migration bookkeeping, and refusing databases that are not hamflow's."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from hamflow.store.connection import StoreError, connect, connection
from hamflow.store.schema import ensure_schema, migrations, require_schema, schema_version

#: The module, not its ``connection`` function (a package may export that under the same name).
connection_module = importlib.import_module("hamflow.store.connection")

CONTRACT = {
    "fit_files": ["file_sha256", "path", "size_bytes", "athlete_id", "status", "reason", "decoder",
                  "decoder_version", "ingested_at", "run_id"],
    "workouts": ["workout_id", "file_sha256", "athlete_id", "session_index", "sport", "sub_sport", "start_utc",
                 "utc_offset_min", "start_local", "week_start", "duration_s", "moving_s", "distance_m",
                 "grade_source", "posterior_load", "quad_load", "posterior_share", "workout_class",
                 "dominant_pattern", "sprint_efforts", "is_sprint_session", "is_leg_day", "reasons", "model_version"],
    "weekly_posterior_load": ["athlete_id", "week_start", "workouts", "moving_min", "posterior_load", "quad_load",
                              "posterior_share", "posterior_min", "quad_min", "sprint_sessions", "leg_day_sessions",
                              "min_hours_between_hard_sessions", "incline_walk_sessions", "rowing_sessions",
                              "hsr_distance_m", "sprint_distance_m", "acwr_posterior", "flags", "model_version"],
}


def columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position", [table]).fetchall()
    return [r[0] for r in rows]


def test_schema_has_the_public_contract(tmp_path: Path) -> None:
    with connection(tmp_path / "h.duckdb") as con:
        assert ensure_schema(con) == max(n for n, _ in migrations())
        for table, expected in CONTRACT.items():
            assert columns(con, table)[: len(expected)] == expected, table
        types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'workouts'").fetchall())
        assert types["start_utc"] == "TIMESTAMP WITH TIME ZONE" and types["week_start"] == "DATE"
        flags = con.execute("SELECT data_type FROM information_schema.columns WHERE table_name = 'weekly_posterior_load' AND column_name = 'flags'").fetchone()
        assert flags == ("VARCHAR[]",)
        views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
        assert {"weekly_last_12", "pattern_minutes_weekly", "recent_workouts", "quarantined_files"} <= views


def test_ensure_schema_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "h.duckdb"
    for _ in range(3):
        with connection(db) as con:
            ensure_schema(con)
    with connection(db) as con:
        assert con.execute("SELECT count(*) FROM hamflow_meta").fetchone() == (len(migrations()),)


def test_refuses_a_database_that_is_not_hamflows(tmp_path: Path) -> None:
    db = tmp_path / "other.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE invoices (id INTEGER)")
    with connection(db) as con, pytest.raises(StoreError, match="not a hamflow database"):
        ensure_schema(con)


def test_refuses_a_file_that_is_not_duckdb(tmp_path: Path) -> None:
    db = tmp_path / "notes.duckdb"
    db.write_text("just some text, not a database\n" * 100)
    with pytest.raises(StoreError, match=r"not a DuckDB database|cannot open"):
        connect(db)
    assert db.read_text().startswith("just some text")  # never overwritten


def test_readers_need_an_existing_hamflow_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no database"):
        connect(tmp_path / "missing.duckdb", read_only=True)
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    with connection(db, read_only=True) as con, pytest.raises(StoreError, match="empty"):
        require_schema(con)


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        connect(tmp_path / "no" / "such" / "h.duckdb")


HOLD_LOCK = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
sys.stdin.readline()  # hold the lock until the test says so
con.close()
"""


def test_waits_for_another_process_then_gives_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "h.duckdb"
    with connection(db) as con:
        ensure_schema(con)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreError, match="locked by another process"):
            connect(db, read_only=True, timeout_s=0.3)
        # The holder lets go only once the next reader has been refused: that reader must wait
        # and then open the database, however long each step takes on a busy machine.
        refused: list[str] = []
        real_open = connection_module._open

        def open_or_let_go(path: Path, read_only: bool, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
            try:
                return real_open(path, read_only, memory_limit)
            except duckdb.Error as exc:
                if not refused:
                    holder.stdin.write("let go\n")
                    holder.stdin.flush()
                refused.append(str(exc))
                raise

        monkeypatch.setattr(connection_module, "_open", open_or_let_go)
        with connection(db, read_only=True, timeout_s=60) as con:  # waits for the holder to let go
            assert schema_version(con) == max(n for n, _ in migrations())
        assert refused and all("lock" in e.lower() for e in refused)
    finally:
        holder.stdin.close()  # lets go if still holding
        holder.wait(timeout=60)
