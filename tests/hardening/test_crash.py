"""kill -9 at seeded crash points of ``hamflow ingest``, then a rerun: the same database as a clean run.

The sample month (31 files, four of them broken) arrives in five seeded groups, as a nightly
inbox fills. For each group (a *trial*) the ingest runs as a child process with a small batch
size and kills itself with SIGKILL at a crash point (``HAMFLOW_CRASH_AT``, see
hamflow/store/faults.py), one to three times in a row: inside the write transaction of its n-th
batch after any of its steps (files, each frame table, the weeks), or just after that batch
committed, while the next batch is being decoded or, after the last one, before the run is
finished. Every crash point is reached at least once (the first kills take them in a seeded
order), the later ones and every n are drawn at random. After every kill the database must be consistent (no half-written batch), must hold
exactly the batches committed before the kill (runs write in plan order), and may only hold rows
a clean run also writes. A final run must then complete and leave exactly what a clean,
never-killed ingest of the same inbox leaves. No kill depends on how fast the machine is.

Twice more with the default engine, Prefect: the flow's process dies at a crash point and the
rest of its process group (the decoding workers) is killed with it.

``HAMFLOW_CRASH_SEED`` (default 7) picks the groups, batch sizes, kill counts and crash points.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from hamflow.ingest import IngestOptions, ingest
from hamflow.model import load_config

from ..helpers import SAMPLES, assert_same, snapshot
from . import dbcheck
from .procs import Child, Run, child_env, hamflow, ingest_args

SEED = int(os.environ.get("HAMFLOW_CRASH_SEED", "7"))
CONFIG = load_config(None)
N_TRIALS = 5
#: The crash points of one batch's write (hamflow/store/writer.py), in the order it reaches
#: them: inside the transaction after each step (the batch rolls back), then after the commit.
IN_TRANSACTION = ("write:files", "write:workouts", "write:workout_patterns", "write:segments", "write:samples",
                  "write:strength_sets", "write:weeks")
COMMITTED = "write:committed"
CRASH_POINTS = (*IN_TRANSACTION, COMMITTED)


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


def to_write(inbox: Path, written: dict[str, tuple]) -> list[str]:
    """The contents a run over ``inbox`` writes, in its order: by path, each content once, none
    already in the database (the sample month's broken files are quarantined for good)."""
    out: list[str] = []
    for path in sorted(str(p) for p in inbox.rglob("*") if p.suffix.lower() == ".fit"):
        sha = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        if sha not in written and sha not in out:
            out.append(sha)
    return out


def crash_env(scratch: Path, point: str, nth: int, **extra: str) -> dict[str, str]:
    return child_env(scratch, HAMFLOW_CRASH_AT=f"{point}@{nth}", **extra)


def assert_killed(run: Run) -> None:
    assert run.returncode == -signal.SIGKILL, f"the run was not killed at its crash point:\n{run.describe()}"


def crash_points(rng: random.Random) -> Iterator[str]:
    """Every crash point once, in a seeded order, then points at random.

    The ones inside a transaction come first: a kill there leaves work for the next one, so the
    first kills are never cut short by an inbox with nothing left to write."""
    yield from rng.sample(IN_TRANSACTION, len(IN_TRANSACTION))
    while True:
        yield rng.choice(CRASH_POINTS)


def committed_batches(point: str, nth: int) -> int:
    """How many batches a run that crashed at ``point@nth`` committed."""
    return nth if point == COMMITTED else nth - 1


@pytest.mark.slow
def test_kill_9_at_crash_points_then_rerun_equals_a_clean_run(tmp_path: Path, month_db: Path) -> None:
    rng = random.Random(SEED)
    files = sample_files()
    assert len(files) == 31
    rng.shuffle(files)
    groups = [files[i::N_TRIALS] for i in range(N_TRIALS)]
    inbox, db, clean = tmp_path / "inbox", tmp_path / "h.duckdb", tmp_path / "clean.duckdb"
    scratch = tmp_path / "run"
    kills: list[tuple[int, str, str]] = []  # (trial, crash point, what was written)
    points = crash_points(rng)

    for trial, group in enumerate(groups):
        add_to_inbox(inbox, group)
        batch = rng.choice([1, 1, 2])  # small batches: several commits per run to land between
        ingest([str(inbox)], clean, CONFIG, IngestOptions(settle_s=0.0, batch_size=batch))  # never killed
        target = dbcheck.file_rows(clean)
        before = state(db)
        # Enough kills in every trial that the first ones reach every crash point.
        unreached = max(0, len(CRASH_POINTS) - len(kills))
        for _ in range(max(rng.choice([1, 2, 3]), -(-unreached // (N_TRIALS - trial)))):
            todo = to_write(inbox, before)
            if not todo:  # the last kill came after the last commit: nothing is left to write
                break
            n_batches = -(-len(todo) // batch)
            point, nth = next(points), rng.randint(1, n_batches)
            assert_killed(hamflow(ingest_args(inbox, db, batch_size=batch), scratch, env=crash_env(scratch, point, nth)))
            now = state(db)
            # Exactly the batches committed before the kill, and nothing a clean run would not write.
            done = committed_batches(point, nth)
            assert set(now) == set(before) | set(todo[: done * batch]), f"trial {trial}, {point}@{nth}"
            assert set(now) <= set(target) and {h: target[h] for h in now} == now, f"trial {trial}"
            kills.append((trial, f"{point}@{nth}", "nothing new" if now == before else "all files" if set(now) == set(target) else "some batches"))
            before = now
        done_run = hamflow(ingest_args(inbox, db, batch_size=batch), scratch)
        assert done_run.returncode == 0, done_run.describe()
        assert_same(snapshot(clean), snapshot(db))
        assert dbcheck.counts(clean) == dbcheck.counts(db), f"trial {trial}"

    print(f"\n{len(kills)} kills: " + ", ".join(f"t{t}@{p}:{w}" for t, p, w in kills))
    # The incremental result is also what one clean run over the whole month gives.
    assert_same(snapshot(month_db), snapshot(db))
    assert dbcheck.counts(month_db) == dbcheck.counts(db)
    assert len(kills) >= N_TRIALS
    assert {p.split("@")[0] for _, p, _ in kills} == set(CRASH_POINTS), kills
    assert len({w for _, _, w in kills}) >= 2, kills  # kills landed before and after commits


@pytest.mark.slow
def test_kill_9_of_the_prefect_engine_then_rerun_equals_a_clean_run(tmp_path: Path, prefect_api_url: str) -> None:
    """The same with the default engine: the flow's process, its decoding workers and all, killed
    twice in a row before the run that completes."""
    rng = random.Random(SEED + 1)
    files = sample_files()
    broken = [p for p in files if p.stat().st_size < 200]  # the empty file and the CSV named .fit
    rng.shuffle(files)
    chosen = sorted(set(files[:3]) | set(broken))
    inbox, clean = tmp_path / "inbox", tmp_path / "clean.duckdb"
    add_to_inbox(inbox, chosen)
    ingest([str(inbox)], clean, CONFIG, IngestOptions(settle_s=0.0, batch_size=2))
    target, expected = dbcheck.file_rows(clean), snapshot(clean)
    todo = to_write(inbox, {})
    n_batches = -(-len(todo) // 2)
    assert n_batches >= 3
    scratch, db = tmp_path / "run", tmp_path / "h.duckdb"
    # One kill inside the first write (nothing written), then, in the run after it, one after a
    # middle batch committed while the workers decode the next.
    trials = [(rng.choice(IN_TRANSACTION), 1), (COMMITTED, rng.randint(1, n_batches - 1))]

    for point, nth in trials:
        child = Child(ingest_args(inbox, db, engine="prefect", batch_size=2), scratch,
                      crash_env(scratch, point, nth, PREFECT_API_URL=prefect_api_url))
        code = child.wait(300)
        child.kill_group()  # the rest of the group, as a kill -9 of the whole service would; none may outlive it
        run = child.killed()
        assert code is not None, run.describe()
        assert_killed(run)
        now = state(db)
        assert set(now) == set(todo[: committed_batches(point, nth) * 2]), (point, nth)
        assert {h: target[h] for h in now} == now
    done = hamflow(ingest_args(inbox, db, engine="prefect", batch_size=2), scratch, env=child_env(scratch, PREFECT_API_URL=prefect_api_url))
    assert done.returncode == 0, done.describe()
    assert_same(expected, snapshot(db))
    assert dbcheck.counts(clean) == dbcheck.counts(db)


def samples_per_file(db: Path) -> dict[str, int]:
    """The rows of ``samples`` each file of ``db`` wrote (0 for a file without workouts)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute(
            "SELECT f.file_sha256, count(s.workout_id) FROM fit_files AS f LEFT JOIN workouts AS w USING (file_sha256) "
            "LEFT JOIN samples_stored AS s USING (workout_id) GROUP BY ALL").fetchall())


@pytest.mark.slow
def test_a_write_transaction_of_several_batches_is_kept_or_lost_whole(tmp_path: Path) -> None:
    """With ``--write-samples`` a transaction takes one-file batches until it holds that many
    samples: a kill after its commit keeps exactly those files, a kill inside the next one keeps
    nothing of it, and the rerun equals a clean run (which wrote the month in other transactions)."""
    inbox, db, clean = tmp_path / "inbox", tmp_path / "h.duckdb", tmp_path / "clean.duckdb"
    add_to_inbox(inbox, sample_files())
    ingest([str(inbox)], clean, CONFIG, IngestOptions(settle_s=0.0, batch_size=4))
    todo, samples = to_write(inbox, {}), samples_per_file(clean)
    threshold = sum(samples[h] for h in todo[:3])
    first = next(n for n in range(1, len(todo) + 1) if sum(samples[h] for h in todo[:n]) >= threshold)
    assert 2 <= first < len(todo) - 2  # a group of several batches, with files left for the next
    args = ingest_args(inbox, db, batch_size=1, write_samples=threshold)
    scratch = tmp_path / "run"

    assert_killed(hamflow(args, scratch, env=crash_env(scratch, COMMITTED, 1)))
    assert set(state(db)) == set(todo[:first])
    assert_killed(hamflow(args, scratch, env=crash_env(scratch, "write:samples", 1)))
    assert set(state(db)) == set(todo[:first])

    done = hamflow(args, scratch)
    assert done.returncode == 0, done.describe()
    assert_same(snapshot(clean), snapshot(db))
    assert dbcheck.counts(clean) == dbcheck.counts(db)
