"""Thresholds estimated from each athlete's own files (issue 13): generated athletes and real
files, order independence, and config values that always win."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from hamflow.ingest import calibrate
from hamflow.ingest.run import IngestOptions, ingest
from hamflow.model import DEFAULT_CONFIG, parse_config
from hamflow.model.config import HamflowConfig
from hamflow.store.connection import connection
from tests.calibration_athletes import DAY, T0, flat_sprints, hill_sprints, jog, strides, write

from ..corpus import corpus_root

OPTIONS = IngestOptions(settle_s=0)
SAMPLE = Path(__file__).resolve().parents[2] / "sample_fit"



def _rows(db: Path, sql: str) -> pl.DataFrame:
    with connection(db, read_only=True) as con:
        return con.sql(sql).pl()


def _amateur(folder: Path) -> None:
    write(folder, "1-strides", T0, strides(top=6.0))
    write(folder, "2-hills", T0 + 3 * DAY, hill_sprints(speed=5.3, grade=9.0))
    write(folder, "3-flat", T0 + 6 * DAY, flat_sprints(speed=5.8))


def test_an_amateur_whose_strides_reach_6_mps_gets_30_second_hill_sprints_at_5_3_mps_recognised(tmp_path: Path) -> None:
    _amateur(tmp_path / "inbox" / "amy")
    db = tmp_path / "h.duckdb"
    ingest([tmp_path / "inbox"], db, DEFAULT_CONFIG, OPTIONS)
    w = _rows(db, "SELECT w.workout_id, w.start_utc, w.sprint_efforts, w.is_sprint_session, w.workout_class, "
                  "(SELECT sum(seconds) FROM workout_patterns p WHERE p.workout_id = w.workout_id AND p.pattern = 'HILL_SPRINT') AS hill_s "
                  "FROM workouts w ORDER BY start_utc")
    hills, flat = w.row(1, named=True), w.row(2, named=True)
    assert hills["is_sprint_session"] and hills["sprint_efforts"] >= 6 and hills["hill_s"] >= 6 * 20
    assert hills["workout_class"] == "posterior"
    assert flat["is_sprint_session"] and flat["sprint_efforts"] >= 6
    vmax = _rows(db, "SELECT value, source FROM athlete_thresholds WHERE metric = 'vmax_mps' ORDER BY valid_from NULLS FIRST")
    assert vmax.rows() == [(8.0, "default"), (6.0, "estimated")]


def test_without_calibration_the_same_hill_sprints_are_not_sprints(tmp_path: Path) -> None:
    _amateur(tmp_path / "inbox" / "amy")
    db = tmp_path / "h.duckdb"
    ingest([tmp_path / "inbox"], db, parse_config("[model.calibration]\nenabled = false\n"), OPTIONS)
    assert _rows(db, "SELECT sum(sprint_efforts) AS n FROM workouts").item() == 0


def test_a_jogger_who_never_exceeds_3_5_mps_has_no_sprint_effort_in_any_week(tmp_path: Path) -> None:
    for k in range(6):
        write(tmp_path / "inbox" / "joe", f"{k}-jog", T0 + 2 * k * DAY, jog(40, speed=3.25 + 0.05 * k))
    db = tmp_path / "h.duckdb"
    ingest([tmp_path / "inbox"], db, DEFAULT_CONFIG, OPTIONS)
    assert _rows(db, "SELECT max(device_max_speed_mps) FROM workouts").item() <= 3.5
    assert _rows(db, "SELECT sum(sprint_efforts) FROM workouts").item() == 0
    assert _rows(db, "SELECT sum(sprint_sessions) FROM weekly_posterior_load").item() == 0
    patterns = set(_rows(db, "SELECT DISTINCT pattern FROM workout_patterns").get_column("pattern"))
    assert not patterns & {"SPRINT", "HILL_SPRINT", "HSR"}
    assert _rows(db, "SELECT value FROM athlete_thresholds WHERE metric = 'vmax_mps' AND source = 'estimated'").item() == 6.0


def test_the_vmax_floor_keeps_jogging_speed_out_of_every_sprint_band() -> None:
    t, floor = DEFAULT_CONFIG.model.thresholds, DEFAULT_CONFIG.model.calibration.vmax_floor_mps
    assert min(t.hill_sprint_vmax_fraction, t.sprint_vmax_fraction, t.hsr_vmax_fraction) * floor > 3.5


def test_an_athlete_with_config_values_keeps_them(tmp_path: Path) -> None:
    _amateur(tmp_path / "inbox" / "amy")
    config = parse_config("[athletes.amy]\nvmax_mps = 9.0\nhr_max_bpm = 150.0\nhr_rest_bpm = 50.0\n")
    db = tmp_path / "h.duckdb"
    ingest([tmp_path / "inbox"], db, config, OPTIONS)
    rows = _rows(db, "SELECT metric, value, source FROM athlete_thresholds WHERE metric IN ('vmax_mps', 'hr_max_bpm') ORDER BY metric")
    assert rows.rows() == [("hr_max_bpm", 150.0, "config"), ("vmax_mps", 9.0, "config")]
    used = _rows(db, "SELECT DISTINCT threshold_used FROM workout_evidence WHERE metric = 'vmax_mps'")
    assert used.get_column("threshold_used").to_list() == [9.0]
    assert _rows(db, "SELECT sum(sprint_efforts) FROM workouts").item() == 0  # 5.8 m/s is no sprint at 9 m/s


def test_the_config_loader_records_which_keys_an_athlete_set_without_changing_the_model_version() -> None:
    config = parse_config("[athletes.default]\nvmax_mps = 7.0\n[athletes.amy]\nhr_max_bpm = 180.0\n")
    assert config.configured_keys("amy") == frozenset({"hr_max_bpm"})
    assert config.configured_keys("default") == frozenset()
    assert config.profile("amy").vmax_mps == 7.0
    assert config.model_version == HamflowConfig().model_version


_TABLES = {
    "workouts": "SELECT * EXCLUDE (model_version) FROM workouts ORDER BY workout_id",
    "weekly_posterior_load": "SELECT * FROM weekly_posterior_load ORDER BY athlete_id, week_start",
    "athlete_thresholds": "SELECT * FROM athlete_thresholds ORDER BY ALL",
    "workout_evidence": "SELECT * FROM workout_evidence ORDER BY ALL",
    "segments": "SELECT * FROM segments ORDER BY workout_id, segment_index",
}


def _dump(db: Path) -> dict[str, pl.DataFrame]:
    return {name: _rows(db, sql) for name, sql in _TABLES.items()}


def _files(tmp_path: Path) -> list[Path]:
    """A few sample files of ana (sprints, hills, easy runs, a row, a bike) and the amateur."""
    inbox = tmp_path / "all"
    _amateur(inbox / "amy")
    names = ["2026-10-05-0710-easy_run.fit", "2026-10-07-1830-track_sprints.fit", "2026-10-14-1300-hill_sprints.fit",
             "2026-10-16-1830-bike.fit", "2026-10-29-1900-row_ciq.fit"]
    (inbox / "ana").mkdir(parents=True)
    for n in names:
        shutil.copy(SAMPLE / "ana" / n, inbox / "ana" / n)
    return sorted(inbox.rglob("*.fit"))


def _stage(files: list[Path], inbox: Path) -> None:
    """Copy ``files`` into ``inbox``, each in its athlete's folder (as a nightly sync would)."""
    for f in files:
        target = inbox / f.parent.name / f.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(f, target)


def test_the_same_files_in_two_orders_and_in_one_or_many_runs_give_identical_tables(tmp_path: Path) -> None:
    files = _files(tmp_path)
    one_run = tmp_path / "one.duckdb"
    ingest([tmp_path / "all"], one_run, DEFAULT_CONFIG, IngestOptions(settle_s=0, batch_size=3))
    expected = _dump(one_run)

    for name, order in (("newest_first", files[::-1]), ("interleaved", files[1::2] + files[0::2])):
        db, inbox = tmp_path / f"{name}.duckdb", tmp_path / name
        for k in range(0, len(order), 2):  # nightly runs: two more files arrive each night
            _stage(order[k : k + 2], inbox)
            report = ingest([inbox], db, DEFAULT_CONFIG, IngestOptions(settle_s=0, batch_size=1))
            assert report.ok
        got = _dump(db)
        for table, frame in expected.items():
            assert got[table].equals(frame), f"{name}: {table} differs"


def test_recalibrating_one_workout_at_a_time_gives_the_tables_of_one_pass(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _files(tmp_path)

    def late_strides(db: Path) -> int:
        """ana's files, then a faster strides file dated before her sprints, in a run of its own:
        every stored workout after it is judged again."""
        for f in (tmp_path / "late").glob("*.fit"):
            f.unlink()
        assert ingest([tmp_path / "all"], db, DEFAULT_CONFIG, OPTIONS).counts.workouts_recalibrated == 0
        write(tmp_path / "late" / "ana", "0-strides", T0 - 40 * DAY, strides(top=7.9))
        return ingest([tmp_path / "all", tmp_path / "late"], db, DEFAULT_CONFIG, OPTIONS).counts.workouts_recalibrated

    whole = tmp_path / "whole.duckdb"
    monkeypatch.setattr(calibrate, "RECLASSIFY_WORKOUTS", 1_000)
    recalibrated = late_strides(whole)
    assert recalibrated >= 2  # so the pieces of one below are several
    monkeypatch.setattr(calibrate, "RECLASSIFY_WORKOUTS", 1)
    pieces = tmp_path / "pieces.duckdb"
    assert late_strides(pieces) == recalibrated
    expected, got = _dump(whole), _dump(pieces)
    for table, frame in expected.items():
        assert got[table].equals(frame), table


def test_a_run_says_how_many_workouts_it_recalibrated(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox" / "amy"
    write(inbox, "2-hills", T0 + 3 * DAY, hill_sprints(speed=5.3))
    db = tmp_path / "h.duckdb"
    ingest([tmp_path / "inbox"], db, DEFAULT_CONFIG, OPTIONS)
    # A faster strides file from before the hills raises vmax for the hills: they are judged again.
    write(inbox, "1-strides", T0, strides(top=6.6))
    report = ingest([tmp_path / "inbox"], db, DEFAULT_CONFIG, OPTIONS)
    assert report.counts.workouts_recalibrated == 1
    assert _rows(db, "SELECT workouts_recalibrated FROM ingest_runs ORDER BY started_at DESC LIMIT 1").item() == 1
    again = ingest([tmp_path / "inbox"], db, DEFAULT_CONFIG, OPTIONS)
    assert again.counts.workouts_recalibrated == 0


CORPUS = corpus_root()
STRIDES = CORPUS / "fitedit" / "fr945-run-2019-12-18-35min-easy-4x20s-strides.fit"
ROW = CORPUS / "fitparse" / "20170518-191602-1740899583.fit"


def test_the_real_strides_run_has_sprint_efforts_and_the_indoor_row_an_if_below_1_3(tmp_path: Path) -> None:
    db = tmp_path / "h.duckdb"
    ingest([STRIDES, ROW], db, DEFAULT_CONFIG, IngestOptions(settle_s=0, athlete="real"))
    w = _rows(db, "SELECT sport, sub_sport, sprint_efforts, posterior_load + quad_load AS load, moving_s FROM workouts ORDER BY sport")
    row = w.filter(pl.col("sport") != "running").row(0, named=True)
    run = w.filter(pl.col("sport") == "running").row(0, named=True)
    assert run["sprint_efforts"] >= 3
    session_if = (row["load"] * 36 / row["moving_s"]) ** 0.5
    assert session_if < 1.3
    sources = dict(_rows(db, "SELECT metric, source FROM athlete_thresholds WHERE source = 'estimated'").rows())
    assert {"vmax_mps", "rower_threshold_power_w"} <= set(sources)


def test_a_kill_during_recalibration_is_repaired_by_the_next_run(tmp_path: Path) -> None:
    _amateur(tmp_path / "inbox" / "amy")
    db = tmp_path / "h.duckdb"
    cmd = [sys.executable, "-m", "hamflow.cli", "ingest", str(tmp_path / "inbox"), "--db", str(db), "--engine", "local",
           "--settle", "0", "--batch-size", "1"]
    crashed = subprocess.run(cmd, env={**os.environ, "HAMFLOW_CRASH_AT": "calibrate:athlete"}, capture_output=True, text=True,
                             timeout=300)
    assert crashed.returncode == -9, crashed.stderr
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    clean = tmp_path / "clean.duckdb"
    ingest([tmp_path / "inbox"], clean, DEFAULT_CONFIG, OPTIONS)
    for table, frame in _dump(clean).items():
        assert _dump(db)[table].equals(frame), table
