"""kill -9 at random points of ``hamflow ingest``, then a rerun: the same database as a clean run.

The sample month (31 files, two of them broken) arrives in ten seeded groups, as a nightly
inbox fills. For each group (a *trial*) the ingest runs as a child process with a small batch
size and its whole process group is SIGKILLed at a seeded random point, one to three times in
a row; after every kill the database must be consistent (no half-written batch), must have lost
nothing, and may only hold rows a clean run also writes. A final run must then complete and leave
exactly what a clean, never-killed ingest of the same inbox leaves (made in this process, which
also measures how long the work takes). The kill comes a random share of that time after the
child has opened the database (its start-up, the same for every run, is skipped), so kills land
in planning, decoding, writing and finishing alike.

Twice more with the default engine, Prefect (its flow's process, decoding workers and all, in
one process group), once early and once late in a run measured beforehand.

``HAMFLOW_CRASH_SEED`` (default 7) picks the groups, batch sizes, kill counts and delays.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

import duckdb
import pytest

from hamflow.ingest import IngestOptions, ingest
from hamflow.model import load_config

from ..helpers import SAMPLES, assert_same, snapshot
from . import dbcheck
from .procs import Child, child_env, hamflow, ingest_args

SEED = int(os.environ.get("HAMFLOW_CRASH_SEED", "7"))
CONFIG = load_config(None)
#: A fresh process does the same work more slowly than this warm one (first calls, caches).
COLD = 1.5
N_TRIALS = 10


def sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES.rglob("*") if p.suffix.lower() == ".fit")


def add_to_inbox(inbox: Path, files: list[Path]) -> None:
    for p in files:
        target = inbox / p.parent.name / p.name  # sample_fit/<athlete>/<file>
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, target)


def state(db: Path) -> dict[str, tuple]:
    """The file rows of ``db``, after checking it is consistent; {} before the schema exists."""
    if not db.exists():
        return {}
    with duckdb.connect(str(db), read_only=True) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "hamflow_meta" not in tables:
        assert not tables, f"a schema half created: {sorted(tables)}"
        return {}
    assert dbcheck.problems(db) == []
    return dbcheck.file_rows(db)


@pytest.mark.slow
def test_kill_9_at_random_points_then_rerun_equals_a_clean_run(tmp_path: Path, month_db: Path) -> None:
    rng = random.Random(SEED)
    files = sample_files()
    assert len(files) == 31
    rng.shuffle(files)
    groups = [files[i::N_TRIALS] for i in range(N_TRIALS)]
    inbox, db, clean = tmp_path / "inbox", tmp_path / "h.duckdb", tmp_path / "clean.duckdb"
    scratch = tmp_path / "run"
    kills: list[tuple[int, float, str]] = []  # (trial, delay as a share of the run, what was written)
    finished_early = 0

    for trial, group in enumerate(groups):
        add_to_inbox(inbox, group)
        batch = rng.choice([1, 1, 2])  # small batches: several commits per run to land between
        started = time.monotonic()
        ingest([str(inbox)], clean, CONFIG, IngestOptions(settle_s=0.0, batch_size=batch))  # never killed
        work_s = time.monotonic() - started
        target = dbcheck.file_rows(clean)
        before = state(db)
        for _ in range(rng.choice([1, 1, 2, 3])):
            share = rng.uniform(0.0, 1.0)
            saved = tmp_path / "before-attempt.duckdb"
            wal, saved_wal = db.with_name(db.name + ".wal"), saved.with_name(saved.name + ".wal")
            for source, copy in ((db, saved), (wal, saved_wal)):
                copy.unlink(missing_ok=True)
                if source.exists():
                    shutil.copyfile(source, copy)
            for _retry in range(4):
                child = Child(ingest_args(inbox, db, batch_size=batch), scratch)
                code = child.wait_for_file(db, timeout=120)  # start-up done: the run opened the database
                if code is None:
                    code = child.wait(share * work_s * COLD)
                if code is None:
                    child.kill_group()
                    break
                assert code == 0, child.killed().describe()
                finished_early += 1
                # The run beat its delay (a busy machine slows the runs unevenly): check it, put
                # the database back as it was and try again sooner, so every attempt is a kill.
                now = state(db)
                assert set(before) <= set(now) <= set(target) and {h: target[h] for h in now} == now
                for source, copy in ((db, saved), (wal, saved_wal)):
                    if copy.exists():
                        shutil.copyfile(copy, source)
                    else:
                        source.unlink(missing_ok=True)
                share /= 2
            now = state(db)
            # Nothing lost, and nothing a clean run would not write.
            assert set(before) <= set(now) <= set(target), f"trial {trial}"
            assert {h: target[h] for h in now} == now, f"trial {trial}"
            if code is None:
                kills.append((trial, share, "nothing new" if now == before else "all files" if set(now) == set(target) else "some batches"))
            before = now
        done = hamflow(ingest_args(inbox, db, batch_size=batch), scratch)
        assert done.returncode == 0, done.describe()
        assert_same(snapshot(clean), snapshot(db))
        assert dbcheck.counts(clean) == dbcheck.counts(db), f"trial {trial}"

    print(f"\n{len(kills)} kills ({finished_early} runs finished before their delay): "
          + ", ".join(f"t{t}@{s:.2f}:{w}" for t, s, w in kills))
    # The incremental result is also what one clean run over the whole month gives.
    assert_same(snapshot(month_db), snapshot(db))
    assert dbcheck.counts(month_db) == dbcheck.counts(db)
    assert len(kills) >= N_TRIALS
    assert len({w for _, _, w in kills}) >= 2, kills  # kills landed before and during writing


@pytest.mark.slow
def test_kill_9_of_the_prefect_engine_then_rerun_equals_a_clean_run(tmp_path: Path, prefect_api_url: str) -> None:
    """The same with the default engine: the flow's process, its decoding workers and all."""
    rng = random.Random(SEED + 1)
    files = sample_files()
    broken = [p for p in files if p.stat().st_size < 200]  # the empty file and the CSV named .fit
    rng.shuffle(files)
    chosen = sorted(set(files[:3]) | set(broken))
    inbox, clean = tmp_path / "inbox", tmp_path / "clean.duckdb"
    add_to_inbox(inbox, chosen)
    ingest([str(inbox)], clean, CONFIG, IngestOptions(settle_s=0.0, batch_size=2))
    target, expected = dbcheck.file_rows(clean), snapshot(clean)
    scratch = tmp_path / "run"
    env = child_env(scratch, PREFECT_API_URL=prefect_api_url)

    # Measure: one run never killed, from the moment it opens the database to its end.
    measured = Child(ingest_args(inbox, tmp_path / "measured.duckdb", engine="prefect", batch_size=2), scratch, env)
    assert measured.wait_for_file(tmp_path / "measured.duckdb", timeout=180) is None
    opened = time.monotonic()
    run = measured.result(300)
    work_s = time.monotonic() - opened
    assert run.returncode == 0, run.describe()
    assert_same(expected, snapshot(tmp_path / "measured.duckdb"))

    kills = []
    for trial in range(2):
        db = tmp_path / f"trial{trial}.duckdb"
        share = rng.uniform(0.15, 0.5) if trial == 0 else rng.uniform(0.5, 0.9)  # one early, one late
        child = Child(ingest_args(inbox, db, engine="prefect", batch_size=2), scratch, env)
        code = child.wait_for_file(db, timeout=180)
        if code is None:
            code = child.wait(share * work_s)
        if code is None:
            child.kill_group()  # also asserts that no worker process outlived it
        else:
            assert code == 0, child.killed().describe()
        now = state(db)
        assert set(now) <= set(target) and {h: target[h] for h in now} == now
        if code is None:
            kills.append((trial, round(share, 2), len(now)))
        done = hamflow(ingest_args(inbox, db, engine="prefect", batch_size=2), scratch, env=env)
        assert done.returncode == 0, done.describe()
        assert_same(expected, snapshot(db))
        assert dbcheck.counts(clean) == dbcheck.counts(db)
    print(f"\nprefect: a run takes {work_s:.1f} s after opening the database; kills (trial, share, files written): {kills}")
    assert kills
