"""The store on a real database file: idempotence, identity, local weeks, flags, crashes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from hamflow.ingest import IngestOptions, LocalEngine, ingest
from hamflow.ingest.run import run
from hamflow.model.config import HamflowConfig
from hamflow.model.config_load import load_config
from hamflow.store.prepared import PreparedFile
from hamflow.store.writer import WriteResult

from ..helpers import SAMPLES, assert_same, make_inbox, sample, snapshot

CONFIG = load_config(None)
FAST = IngestOptions(settle_s=0.0)


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture
def month(month_db: Path) -> Path:
    return month_db


def test_every_file_has_a_row_and_broken_ones_say_why(month: Path) -> None:
    statuses = dict(rows(month, "SELECT status, count(*) FROM fit_files GROUP BY ALL"))
    assert sum(statuses.values()) == 31
    reasons = sorted(r for (r,) in rows(month, "SELECT reason FROM fit_files WHERE status = 'quarantined'"))
    assert reasons == ["empty_file", "not_fit"]
    salvaged = dict(rows(month, "SELECT decode_status, count(*) FROM fit_files WHERE status = 'ingested' GROUP BY ALL"))
    assert salvaged.get("truncated") == 1 and salvaged.get("crc_mismatch") == 1


def test_ingest_twice_changes_nothing_but_ingest_runs(month: Path, tmp_path: Path) -> None:
    db = tmp_path / "twice.duckdb"
    ingest([str(SAMPLES)], db, CONFIG, FAST)
    before = snapshot(db)
    report = ingest([str(SAMPLES)], db, CONFIG, FAST)
    assert report.counts.files_new == 0 and report.counts.files_known == 31
    assert_same(before, snapshot(db))
    assert rows(db, "SELECT count(*) FROM ingest_runs") == [(2,)]
    assert_same(snapshot(month), before)  # and independent of which run did it


def test_same_bytes_under_two_names_is_one_workout(tmp_path: Path) -> None:
    walk = sample("incline_walk")
    inbox = make_inbox(tmp_path / "inbox", {"ana": [walk]})
    shutil.copy2(walk, inbox / "ana" / "copy-with-another-name.fit")
    db = tmp_path / "h.duckdb"
    report = ingest([str(inbox)], db, CONFIG, FAST)
    assert report.counts.files_new == 1 and report.counts.files_known == 1
    assert rows(db, "SELECT count(*) FROM workouts") == [(1,)]
    assert rows(db, "SELECT count(*) FROM fit_files") == [(1,)]


def test_monday_0040_local_is_monday_although_sunday_in_utc(month: Path) -> None:
    (start_utc, start_local, week, offset), = rows(
        month,
        "SELECT start_utc, start_local, week_start, utc_offset_min FROM workouts w JOIN fit_files f USING (file_sha256) "
        "WHERE f.path LIKE '%2026-10-12-0040-easy_run.fit'",
    )
    assert start_utc.date() == date(2026, 10, 11)  # Sunday in UTC
    assert start_local.strftime("%a %H:%M") == "Mon 00:40"
    assert week == date(2026, 10, 12) and offset == 120


def test_three_sprint_sessions_two_30h_apart_raise_both_flags(month: Path) -> None:
    (sprints, gap, flags), = rows(
        month,
        "SELECT sprint_sessions, min_hours_between_hard_sessions, flags FROM weekly_posterior_load "
        "WHERE athlete_id = 'ana' AND week_start = DATE '2026-10-12'",
    )
    assert sprints == 3
    assert 29 <= gap <= 31
    assert {"sprint_sessions_over_2", "sprint_gap_under_48h"} <= set(flags)


def test_weeks_without_workouts_are_filled_with_zeros(tmp_path: Path) -> None:
    first, last = sample("incline_walk"), sample("row_ciq")  # weeks of 12 and 26 October
    inbox = make_inbox(tmp_path / "inbox", {"gap": [first, last]})
    db = tmp_path / "h.duckdb"
    ingest([str(inbox)], db, CONFIG, FAST)
    weeks = rows(db, "SELECT week_start, workouts, posterior_load, moving_min FROM weekly_posterior_load ORDER BY week_start")
    assert [w[0] for w in weeks] == [date(2026, 10, 12), date(2026, 10, 19), date(2026, 10, 26)]
    assert weeks[1][1:] == (0, 0.0, 0.0)
    assert weeks[0][1] == 1 and weeks[2][1] == 1


CRASH_POINTS = ["write:files", "write:samples", "write:weeks"]


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_kill_mid_commit_leaves_the_database_as_before_and_rerun_completes(tmp_path: Path, point: str) -> None:
    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk")]})
    db = tmp_path / "h.duckdb"
    ingest([str(inbox)], db, CONFIG, FAST)
    before = snapshot(db)
    make_inbox(inbox, {"ana": [sample("track_sprints"), sample("bike")]})
    cmd = [sys.executable, "-m", "hamflow.cli", "ingest", str(inbox), "--db", str(db), "--engine", "local", "--settle", "0", "--batch-size", "8"]
    crashed = subprocess.run(cmd, env={**os.environ, "HAMFLOW_CRASH_AT": point}, capture_output=True, text=True, timeout=120)
    assert crashed.returncode == -9, crashed.stderr
    assert_same(before, snapshot(db))
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    clean = tmp_path / "clean.duckdb"
    ingest([str(inbox)], clean, CONFIG, FAST)
    assert_same(snapshot(clean), snapshot(db))


def test_reprocess_after_a_threshold_change(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from hamflow.cli import cli

    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk"), sample("easy_run"), sample("track_sprints")]})
    db = tmp_path / "h.duckdb"
    ingest([str(inbox)], db, CONFIG, FAST)
    before = dict(rows(db, "SELECT dominant_pattern, posterior_load FROM workouts"))
    runner = CliRunner()
    same = runner.invoke(cli, ["reprocess", "--db", str(db)])
    assert same.exit_code == 0 and "0 workouts changed, 0 weekly rows changed" in same.output, same.output
    config = tmp_path / "hamflow.toml"
    config.write_text("[model.p]\nwalk_steep = 0.85\n")
    changed = runner.invoke(cli, ["reprocess", "--db", str(db), "--config", str(config)])
    assert changed.exit_code == 0, changed.output
    # Every row carries the new model_version, so all three changed; only the steep walk's load moved.
    assert "recomputed 3 workouts" in changed.output and "3 workouts changed" in changed.output
    after = dict(rows(db, "SELECT dominant_pattern, posterior_load FROM workouts"))
    assert after["WALK_STEEP"] > before["WALK_STEEP"] * 1.2
    assert {k: v for k, v in after.items() if k != "WALK_STEEP"} == {k: v for k, v in before.items() if k != "WALK_STEEP"}
    versions = {v for (v,) in rows(db, "SELECT DISTINCT model_version FROM weekly_posterior_load")}
    assert versions == {load_config(config).model_version} != {CONFIG.model_version}
    clean = tmp_path / "clean.duckdb"
    ingest([str(inbox)], clean, load_config(config), FAST)
    assert_same(snapshot(clean, ("workouts", "weekly_posterior_load", "workout_patterns")),
                snapshot(db, ("workouts", "weekly_posterior_load", "workout_patterns")))


def test_a_killed_run_is_marked_abandoned_by_the_next_run(tmp_path: Path) -> None:
    """kill -9 after the first batch: the run's row said `running` forever; the next run on this
    machine finds its process gone and marks it abandoned, with when it noticed. A run still alive
    (this test's own process) and one on another machine are left alone."""
    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("track_sprints"), sample("bike")]})
    db = tmp_path / "h.duckdb"
    cmd = [sys.executable, "-m", "hamflow.cli", "ingest", str(inbox), "--db", str(db), "--engine", "local",
           "--settle", "0", "--batch-size", "1"]
    crashed = subprocess.run(cmd, env={**os.environ, "HAMFLOW_CRASH_AT": "write:committed@1"}, capture_output=True,
                             text=True, timeout=120)
    assert crashed.returncode == -9, crashed.stderr
    ((killed, status),) = rows(db, "SELECT run_id, status FROM ingest_runs")
    assert status == "running"
    with duckdb.connect(str(db)) as con:
        for run_id, host, pid in [("alive-here", None, os.getpid()), ("elsewhere", "another-machine", 1)]:
            con.execute("INSERT INTO ingest_runs (run_id, started_at, status, hamflow_version, model_version, host, pid) "
                        "SELECT ?, now(), 'running', 'x', 'x', coalesce(?, host), ? FROM ingest_runs WHERE run_id = ?",
                        [run_id, host, pid, killed])
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    runs = {r[0]: r[1:] for r in rows(db, "SELECT run_id, status, abandoned_at IS NOT NULL, message FROM ingest_runs")}
    status, noticed, message = runs.pop(killed)
    assert status == "abandoned" and noticed and "never finished" in message, message
    assert runs.pop("alive-here")[:2] == ("running", False)
    assert runs.pop("elsewhere")[:2] == ("running", False)
    assert [r[0] for r in runs.values()] == ["completed"]


def test_renamed_files_are_shown_where_they_are_now_and_copies_where_they_were_first(tmp_path: Path) -> None:
    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk"), sample("easy_run")]})
    broken = inbox / "ana" / "broken.fit"
    broken.write_bytes(sample("incline_walk").read_bytes()[:40])  # a header and nothing else
    db = tmp_path / "h.duckdb"
    ingest([str(inbox)], db, CONFIG, FAST)
    walk, run = sorted(p for p in (inbox / "ana").iterdir() if p.name != "broken.fit")
    (inbox / "ana" / "2026").mkdir()
    moved_walk = walk.rename(inbox / "ana" / "2026" / walk.name)
    moved_broken = broken.rename(inbox / "ana" / "was-broken.fit")
    copy = shutil.copy2(run, inbox / "ana" / "copy-of-run.fit")
    report = ingest([str(inbox)], db, CONFIG, FAST)
    assert report.counts.files_new == 0
    recorded = dict(rows(db, "SELECT file_sha256, path FROM fit_files"))
    by_path = {Path(p).name: p for p in recorded.values()}
    assert by_path[moved_walk.name] == str(moved_walk) and by_path[run.name] == str(run)
    assert str(copy) not in recorded.values()
    assert rows(db, "SELECT path FROM quarantined_files") == [(str(moved_broken),)]


def test_reprocess_with_a_new_time_zone_gives_exactly_a_fresh_ingest(tmp_path: Path) -> None:
    """The bike file records no UTC offset: the athlete's time zone places it. Setting the zone
    later and reprocessing must give what ingesting with it from the start gives, table by table."""
    from click.testing import CliRunner

    from hamflow.cli import cli

    inbox = make_inbox(tmp_path / "inbox", {"ana": [SAMPLES / "ana" / "2026-10-16-1830-bike.fit", sample("easy_run")]})
    config = tmp_path / "coach.toml"
    config.write_text('[athletes.ana]\ntimezone = "Australia/Sydney"\n')
    later, fresh = tmp_path / "later.duckdb", tmp_path / "fresh.duckdb"
    ingest([str(inbox)], later, CONFIG, FAST)
    assert rows(later, "SELECT count(*) FROM workouts WHERE utc_offset_min IS NULL") == [(1,)]
    result = CliRunner().invoke(cli, ["reprocess", "--db", str(later), "--config", str(config)])
    assert result.exit_code == 0, result.output
    ingest([str(inbox)], fresh, load_config(config), FAST)
    tables = ("workouts", "weekly_posterior_load", "segments", "workout_patterns", "samples", "workout_evidence")
    assert_same(snapshot(fresh, tables), snapshot(later, tables))
    assert rows(later, "SELECT utc_offset_min FROM workouts WHERE device_utc_offset_min IS NULL") == [(660,)]


class RecordingEngine(LocalEngine):
    """The local engine, noting the (path, samples) of the files of each write transaction."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[list[tuple[str, int]]] = []

    def write(self, db_path: str, prepared: list[PreparedFile], run_id: str, config: HamflowConfig) -> WriteResult:
        self.writes.append([(p.path, p.samples.height) for p in prepared])
        return super().write(db_path, prepared, run_id, config)


def test_a_write_transaction_takes_whole_batches_until_it_holds_write_samples(month: Path, tmp_path: Path) -> None:
    each = RecordingEngine()
    run([str(SAMPLES)], tmp_path / "each.duckdb", CONFIG, IngestOptions(settle_s=0.0, batch_size=2, write_samples=0), engine=each)
    assert [len(w) for w in each.writes] == [2] * 15 + [1]  # 0: every batch of the month on its own
    threshold = sum(n for w in each.writes for _, n in w) // 4

    grouped = RecordingEngine()
    db = tmp_path / "grouped.duckdb"
    run([str(SAMPLES)], db, CONFIG, IngestOptions(settle_s=0.0, batch_size=2, write_samples=threshold), engine=grouped)
    held = [sum(n for _, n in w) for w in grouped.writes]
    assert 3 <= len(held) <= 5 and all(h >= threshold for h in held[:-1])
    # Whole batches, and no more of them than it takes: without its last batch each would hold too few.
    assert all(len(w) % 2 == 0 for w in grouped.writes[:-1])
    assert all(sum(n for _, n in w[:-2]) < threshold for w in grouped.writes)
    assert [f for w in grouped.writes for f in w] == [f for w in each.writes for f in w]  # in plan order
    assert_same(snapshot(month), snapshot(db))
    assert_same(snapshot(month), snapshot(tmp_path / "each.duckdb"))
