"""One workout recorded twice (the machine and the watch) counts once, its primary completed with
the other's streams, whatever the order or the nights the files arrive in."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from hamflow.ingest import IngestOptions, ingest
from hamflow.ingest.reprocess import reprocess
from hamflow.model import DEFAULT_CONFIG, parse_config
from samplegen import ANA
from samplegen.pair import render_pair
from samplegen.plan import spec_at_local

from ..corpus import corpus_root
from ..helpers import assert_same, snapshot

OPTIONS = IngestOptions(settle_s=0, athlete="ana")
TABLES = ("fit_files", "workouts", "samples", "segments", "workout_patterns", "workout_evidence", "athlete_thresholds",
          "weekly_posterior_load")
#: The watch starts this late and its clock runs this far ahead of the machine's (s).
LATE_S, CLOCK_S = 6, 4


def _pair(folder: Path, kind: str, local: str, seed: int, seconds: int = 2400) -> tuple[Path, Path]:
    """A machine file and a watch file of one generated workout."""
    spec = spec_at_local(random.Random(seed), ANA, local, kind, seconds)
    pair = render_pair(spec, watch_late_s=LATE_S, watch_clock_s=CLOCK_S)
    folder.mkdir(parents=True, exist_ok=True)
    machine, watch = folder / f"{kind}-{seed}-machine.fit", folder / f"{kind}-{seed}-watch.fit"
    machine.write_bytes(pair.machine)
    watch.write_bytes(pair.watch)
    return machine, watch


def _rows(db: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).pl()


def _workouts(db: Path) -> pl.DataFrame:
    return _rows(db, "SELECT split_part(f.path, '/', -1) AS file, w.* FROM workouts w JOIN fit_files f USING (file_sha256) "
                     "ORDER BY start_utc, workout_id")


def _by_file(db: Path, suffix: str) -> dict[str, object]:
    return _workouts(db).filter(pl.col("file").str.ends_with(suffix)).row(0, named=True)


def test_a_treadmill_incline_walk_recorded_by_the_treadmill_and_a_watch_counts_once_with_incline_and_heart_rate(tmp_path: Path) -> None:
    machine, watch = _pair(tmp_path / "in", "incline_walk", "2026-10-14 18:00", seed=11)
    db = tmp_path / "h.duckdb"
    ingest([machine, watch], db, DEFAULT_CONFIG, OPTIONS)
    primary, secondary = _by_file(db, "machine.fit"), _by_file(db, "watch.fit")
    assert primary["grade_source"] == "record_grade" and primary["duplicate_of"] is None
    assert primary["merged_streams"] == [f"heart_rate_bpm<-{secondary['workout_id']}"]
    assert secondary["duplicate_of"] == primary["workout_id"] and secondary["clock_offset_s"] == CLOCK_S
    assert primary["is_incline_walk"] and primary["workout_class"] == "posterior"
    samples = _rows(db, f"SELECT * FROM samples WHERE workout_id = '{primary['workout_id']}' ORDER BY ts_utc")
    # heart rate wherever the watch was recording, incline everywhere: both streams in one workout
    assert samples.get_column("heart_rate_bpm").null_count() <= LATE_S
    assert samples.get_column("grade_pct").null_count() == 0
    # the heart rate is the watch's, set back by its clock offset
    watch_hr = _rows(db, f"SELECT ts_utc - INTERVAL {CLOCK_S} SECOND AS ts_utc, heart_rate_bpm AS hr FROM samples "
                         f"WHERE workout_id = '{secondary['workout_id']}'")
    joined = samples.join(watch_hr, on="ts_utc")
    assert joined.height > 2000 and joined.filter(pl.col("heart_rate_bpm") != pl.col("hr")).is_empty()
    week = _rows(db, "SELECT * FROM weekly_posterior_load").row(0, named=True)
    assert week["workouts"] == 1 and week["incline_walk_sessions"] == 1
    assert week["posterior_load"] == pytest.approx(primary["posterior_load"])
    # the borrowed heart rate is evidence of the athlete's HRmax, which the machine alone lacks
    alone = tmp_path / "alone.duckdb"
    ingest([machine], alone, DEFAULT_CONFIG, OPTIONS)
    hr_max = "SELECT value FROM workout_evidence WHERE metric = 'hr_max_bpm' AND workout_id = '{}'"
    assert _rows(alone, hr_max.format(primary["workout_id"])).item() is None
    assert _rows(db, hr_max.format(primary["workout_id"])).item() > 100


def test_an_erg_row_and_a_watch_count_once_with_power_and_heart_rate(tmp_path: Path) -> None:
    _pair(tmp_path / "in", "row", "2026-10-16 07:00", seed=12)
    db = tmp_path / "h.duckdb"
    ingest([tmp_path / "in"], db, DEFAULT_CONFIG, OPTIONS)
    primary, secondary = _by_file(db, "machine.fit"), _by_file(db, "watch.fit")
    assert secondary["duplicate_of"] == primary["workout_id"] and secondary["clock_offset_s"] == CLOCK_S
    assert primary["merged_streams"] == [f"heart_rate_bpm<-{secondary['workout_id']}"]
    counts = _rows(db, f"SELECT count(power_w) AS power, count(heart_rate_bpm) AS hr FROM samples "
                       f"WHERE workout_id = '{primary['workout_id']}'").row(0, named=True)
    assert counts["power"] > 2000 and counts["hr"] > 2000
    week = _rows(db, "SELECT * FROM weekly_posterior_load").row(0, named=True)
    assert week["workouts"] == 1 and week["rowing_sessions"] == 1
    assert _rows(db, "SELECT count(*) FROM recent_workouts").item() == 1
    minutes = _rows(db, "SELECT sum(minutes) FROM pattern_minutes_weekly").item()
    assert minutes == pytest.approx(primary["duration_s"] / 60, abs=1)


def test_two_genuine_sessions_the_same_day_stay_two(tmp_path: Path) -> None:
    morning, _ = _pair(tmp_path / "in", "row", "2026-10-16 07:00", seed=13)
    _, evening = _pair(tmp_path / "in", "incline_walk", "2026-10-16 07:41", seed=14)
    db = tmp_path / "h.duckdb"
    ingest([morning, evening], db, DEFAULT_CONFIG, OPTIONS)
    workouts = _workouts(db)
    assert workouts.height == 2 and workouts.get_column("duplicate_of").null_count() == 2
    assert workouts.get_column("merged_streams").to_list() == [[], []]
    assert _rows(db, "SELECT workouts FROM weekly_posterior_load").item() == 2


def test_sessions_overlapping_by_less_than_the_configured_fraction_stay_two(tmp_path: Path) -> None:
    first, _ = _pair(tmp_path / "in", "row", "2026-10-16 07:00", seed=15)
    second, _ = _pair(tmp_path / "in", "row", "2026-10-16 07:30", seed=16)  # 10 of 40 minutes shared
    db, lenient = tmp_path / "h.duckdb", tmp_path / "lenient.duckdb"
    ingest([first, second], db, DEFAULT_CONFIG, OPTIONS)
    assert _rows(db, "SELECT count(duplicate_of) FROM workouts").item() == 0
    config = parse_config("[model.duplicates]\nmin_overlap_fraction = 0.2\n")
    ingest([first, second], lenient, config, OPTIONS)
    assert _rows(lenient, "SELECT count(duplicate_of) FROM workouts").item() == 1


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A treadmill walk and an erg row, each recorded twice, and a run of the same week alone."""
    folder = tmp_path_factory.mktemp("pairs")
    walk = _pair(folder, "incline_walk", "2026-10-14 18:00", seed=21)
    row = _pair(folder, "row", "2026-10-16 07:00", seed=22)
    spec = spec_at_local(random.Random(23), ANA, "2026-10-17 09:00", "row", 1800)
    alone = folder / "row-alone-machine.fit"
    alone.write_bytes(render_pair(spec).machine)
    return [*walk, *row, alone]


@pytest.fixture(scope="module")
def at_once(pairs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    db = tmp_path_factory.mktemp("once") / "h.duckdb"
    ingest(pairs, db, DEFAULT_CONFIG, OPTIONS)
    return snapshot(db, TABLES)


@pytest.mark.parametrize("order", ["machine_first", "watch_first"])
def test_arrival_on_different_nights_in_either_order_gives_the_tables_of_one_run(
    order: str, pairs: list[Path], at_once: dict[str, pl.DataFrame], tmp_path: Path,
) -> None:
    watches = [p for p in pairs if p.name.endswith("watch.fit")]
    machines = [p for p in pairs if p not in watches]
    nights = [machines, watches] if order == "machine_first" else [watches, machines]
    db = tmp_path / "h.duckdb"
    reports = [ingest(night, db, DEFAULT_CONFIG, OPTIONS) for night in nights]
    assert [r.counts.workouts_merged for r in reports] == [0, 2]  # the second night completes both pairs
    assert _rows(db, "SELECT workouts_merged FROM ingest_runs ORDER BY started_at").to_series().to_list() == [0, 2]
    assert_same(snapshot(db, TABLES), at_once)


def test_one_file_per_write_gives_the_same_tables(pairs: list[Path], at_once: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    db = tmp_path / "h.duckdb"
    ingest(pairs, db, DEFAULT_CONFIG, IngestOptions(settle_s=0, athlete="ana", batch_size=1))
    assert_same(snapshot(db, TABLES), at_once)


def test_reprocess_keeps_the_merged_tables_of_a_fresh_ingest(pairs: list[Path], at_once: dict[str, pl.DataFrame],
                                                             tmp_path: Path) -> None:
    db = tmp_path / "h.duckdb"
    ingest(pairs, db, DEFAULT_CONFIG, OPTIONS)
    result = reprocess(db, DEFAULT_CONFIG)
    assert result.workouts_changed == 0
    assert_same(snapshot(db, TABLES), at_once)


def test_reprocess_with_a_stricter_overlap_splits_the_pairs_and_gives_back_each_recordings_own_streams(
    pairs: list[Path], tmp_path: Path,
) -> None:
    config = parse_config("[model.duplicates]\nmin_overlap_fraction = 1.0\nmax_clock_offset_s = 0\n")
    db, fresh = tmp_path / "h.duckdb", tmp_path / "fresh.duckdb"
    ingest(pairs, db, DEFAULT_CONFIG, OPTIONS)
    reprocess(db, config)
    ingest(pairs, fresh, config, OPTIONS)
    assert_same(snapshot(db, TABLES), snapshot(fresh, TABLES))
    # the watch starts late by its own clock: it no longer lies wholly inside the machine's session
    assert _rows(db, "SELECT count(duplicate_of) FROM workouts").item() == 0
    assert _rows(db, "SELECT count(*) FROM workouts WHERE len(merged_streams) > 0").item() == 0
    assert _rows(db, "SELECT workouts FROM weekly_posterior_load WHERE week_start = DATE '2026-10-12'").item() == 5


CORPUS = corpus_root()


def test_the_two_rowingdata_exports_of_one_row_count_once(tmp_path: Path) -> None:
    db = tmp_path / "h.duckdb"
    ingest([CORPUS / "rowingdata"], db, DEFAULT_CONFIG, IngestOptions(settle_s=0))
    export_dev, cycle16 = _by_file(db, "test_export_dev.fit"), _by_file(db, "test_cycle16.fit")
    assert cycle16["duplicate_of"] == export_dev["workout_id"] and cycle16["clock_offset_s"] == 0
    assert export_dev["duplicate_of"] is None and export_dev["merged_streams"] == []  # both know everything
    assert _rows(db, "SELECT count(duplicate_of) FROM workouts").item() == 1
    week = _rows(db, f"SELECT * FROM weekly_posterior_load WHERE week_start = DATE '{export_dev['week_start']}'").row(0, named=True)
    assert week["workouts"] == 1 and week["posterior_load"] == pytest.approx(export_dev["posterior_load"])


def test_the_sessions_of_one_multisport_file_are_never_duplicates_of_each_other(tmp_path: Path) -> None:
    # its first session spans the whole event and the legs lie inside it: parts, not recordings
    db = tmp_path / "h.duckdb"
    ingest([CORPUS / "fitparse" / "activity-large-fenxi2-multisport.fit"], db, DEFAULT_CONFIG, IngestOptions(settle_s=0))
    assert _rows(db, "SELECT count(*) FROM workouts").item() == 7
    assert _rows(db, "SELECT count(duplicate_of) FROM workouts").item() == 0


def test_a_kill_during_the_merge_is_repaired_by_the_next_run(pairs: list[Path], at_once: dict[str, pl.DataFrame],
                                                             tmp_path: Path) -> None:
    inbox = tmp_path / "inbox" / "ana"
    inbox.mkdir(parents=True)
    for p in pairs:
        shutil.copy(p, inbox / p.name)
    db = tmp_path / "h.duckdb"
    cmd = [sys.executable, "-m", "hamflow.cli", "ingest", str(inbox.parent), "--db", str(db), "--engine", "local", "--settle", "0"]
    crashed = subprocess.run(cmd, env={**os.environ, "HAMFLOW_CRASH_AT": "duplicates:athlete"}, capture_output=True, text=True,
                             timeout=300)
    assert crashed.returncode == -9, crashed.stderr
    assert _rows(db, "SELECT count(duplicate_of) FROM workouts").item() == 0  # the merge's transaction never landed
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert_same(snapshot(db, TABLES), at_once)
