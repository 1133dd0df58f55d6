"""``hamflow reprocess`` as a user runs it, in a child process: stopped between two of its batches
the database is free for a reader and for a whole nightly ingest, and killed at any of its crash
points it leaves whole workouts and whole weeks, which a second reprocess finishes.

The child stops itself (SIGSTOP, ``HAMFLOW_STOP_AT``) or dies (SIGKILL, ``HAMFLOW_CRASH_AT``) at
a named point of its n-th batch (hamflow/store/faults.py), so nothing here depends on timing.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import polars as pl
import psutil
import pytest

from hamflow.ingest import IngestOptions, ingest
from hamflow.ingest.reprocess import reprocess
from hamflow.model import DEFAULT_CONFIG, parse_config

from ..helpers import SAMPLES, assert_same, make_inbox, snapshot
from . import dbcheck
from .procs import Child, child_env, hamflow, ingest_args

OPTIONS = IngestOptions(settle_s=0)
CHANGED_TOML = "[athletes.ana]\nthreshold_speed_mps = 3.4\n[athletes.ben]\nbike_threshold_power_w = 150\n"
CHANGED = parse_config(CHANGED_TOML)
TABLES = ("fit_files", "workouts", "samples", "segments", "workout_patterns", "strength_sets", "workout_evidence",
          "athlete_thresholds", "weekly_posterior_load")
#: Small batches: each athlete's workouts span several transactions.
BATCH = "3000"


def good_files(athlete: str) -> list[Path]:
    return sorted(p for p in (SAMPLES / athlete).iterdir() if p.suffix == ".fit" and p.stat().st_size > 2000)


def reprocess_args(db: Path, config: Path) -> list[str]:
    return ["reprocess", "--db", str(db), "--config", str(config), "--batch-samples", BATCH]


def stopped(child: Child) -> bool:
    """Wait until ``child`` has stopped itself (or ended); True if it is stopped."""
    proc = psutil.Process(child.proc.pid)
    while child.proc.poll() is None:
        if proc.status() == psutil.STATUS_STOPPED:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "h.duckdb"
    ingest([make_inbox(tmp_path / "old", {"ana": good_files("ana")[:5], "ben": good_files("ben")[:3]})], db, DEFAULT_CONFIG, OPTIONS)
    config = tmp_path / "changed.toml"
    config.write_text(CHANGED_TOML)
    return db, config


@pytest.mark.slow
def test_a_reader_and_a_whole_ingest_get_in_between_two_batches_of_a_reprocess_which_then_completes(
    setup: tuple[Path, Path], tmp_path: Path,
) -> None:
    db, config = setup
    newer = make_inbox(tmp_path / "new", {"ana": good_files("ana")[5:7], "ben": good_files("ben")[3:4]})
    child = Child(reprocess_args(db, config), tmp_path / "reprocess",
                  env=child_env(tmp_path / "reprocess", HAMFLOW_STOP_AT="reprocess:committed@2"))
    try:
        assert stopped(child), child.result().describe()
        # No waiting allowed: the database must be free right now.
        free = child_env(tmp_path / "others", HAMFLOW_LOCK_TIMEOUT="0")
        reader = hamflow(["weeks", "--db", str(db)], tmp_path / "others", env=free)
        assert reader.returncode == 0 and "Traceback" not in reader.stderr, reader.describe()
        assert dbcheck.problems(db) == []  # two whole batches written, weeks in step
        nightly = hamflow(ingest_args(newer, db), tmp_path / "others", env=free)
        assert nightly.returncode == 0, nightly.describe()
    finally:
        child.proc.send_signal(signal.SIGCONT)
    run = child.result()
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.describe()
    # As if the nightly files had been there all along, and reprocessed with them.
    clean = tmp_path / "clean.duckdb"
    everything = make_inbox(tmp_path / "all", {"ana": good_files("ana")[:7], "ben": good_files("ben")[:4]})
    ingest([everything], clean, DEFAULT_CONFIG, OPTIONS)
    reprocess(clean, CHANGED)
    assert_same(snapshot(db, TABLES), snapshot(clean, TABLES))


CRASH_POINTS = ("reprocess:merged@2", "reprocess:workouts@2", "reprocess:batch@3", "reprocess:committed@4")


@pytest.mark.slow
@pytest.mark.parametrize("point", CRASH_POINTS)
def test_a_reprocess_killed_midway_leaves_whole_workouts_and_a_second_one_completes(
    setup: tuple[Path, Path], tmp_path: Path, point: str,
) -> None:
    db, config = setup
    before = snapshot(db, TABLES)
    killed = hamflow(reprocess_args(db, config), tmp_path / "killed",
                     env=child_env(tmp_path / "killed", HAMFLOW_CRASH_AT=point))
    assert killed.returncode == -signal.SIGKILL, killed.describe()
    assert dbcheck.problems(db) == []
    clean = tmp_path / "clean.duckdb"
    ingest([make_inbox(tmp_path / "again", {"ana": good_files("ana")[:5], "ben": good_files("ben")[:3]})], clean, DEFAULT_CONFIG, OPTIONS)
    reprocess(clean, CHANGED)
    after = snapshot(clean, TABLES)
    # Every workout as it was or as a reprocess leaves it, never a mix of the two.
    halfway = snapshot(db, TABLES)
    for table in ("workouts", "workout_patterns", "segments"):
        known = pl.concat([before[table], after[table]]).unique()
        assert halfway[table].join(known, on=halfway[table].columns, how="anti", nulls_equal=True).is_empty(), table
    done = hamflow(reprocess_args(db, config), tmp_path / "second")
    assert done.returncode == 0, done.describe()
    assert_same(snapshot(db, TABLES), after)
