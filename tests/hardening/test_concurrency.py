"""Several processes on one database: two ingests at once, and readers polling during an ingest.

DuckDB lets one process at a time open a file for writing, and no other process can open it then,
not even read-only. hamflow's own commands wait with backoff until the lock is free
(``HAMFLOW_LOCK_TIMEOUT``, 60 s): two ingests both complete, and a reader never sees a week
written by half a batch (workouts and weekly rows are committed in one transaction).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import duckdb
import pytest

from hamflow.ingest import IngestOptions, ingest
from hamflow.model import load_config

from ..helpers import SAMPLES, assert_same, make_inbox, snapshot
from . import dbcheck
from .procs import Child, Run, hamflow, ingest_args

CONFIG = load_config(None)
OPTIONS = IngestOptions(settle_s=0.0)


def month_files(per_athlete: int) -> dict[str, list[Path]]:
    """The first files of each athlete's month, broken ones included (they are among ana's)."""
    return {a: sorted(p for p in (SAMPLES / a).iterdir() if p.suffix.lower() == ".fit")[:per_athlete] for a in ("ana", "ben")}


def clean_reference(tmp_path: Path, files: dict[str, list[Path]]) -> Path:
    db = tmp_path / "clean.duckdb"
    ingest([str(make_inbox(tmp_path / "clean-inbox", files))], db, CONFIG, OPTIONS)
    return db


def acceptable_reader_run(run: Run) -> str:
    """A reader command either answers, or says in one line that the database is busy."""
    assert "Traceback" not in run.stderr, run.describe()
    if run.returncode == 0:
        return "answered"
    lines = run.lines()
    assert len(lines) == 1 and "locked" in lines[0], run.describe()
    return "busy"


@pytest.mark.slow
def test_two_ingests_at_once_both_complete_and_equal_a_clean_run(tmp_path: Path) -> None:
    files = month_files(5)  # ana's five include the empty file and another broken one
    inbox = make_inbox(tmp_path / "inbox", files)
    db = tmp_path / "h.duckdb"
    first = Child(ingest_args(inbox, db, batch_size=1), tmp_path / "a")
    second = Child(ingest_args(inbox, db, batch_size=1), tmp_path / "b")
    assert first.proc.poll() is None, "the first ingest ended before the second started"
    runs = [first.result(300), second.result(300)]
    for run in runs:
        assert run.returncode == 0 and "Traceback" not in run.stderr, run.describe()
    clean = clean_reference(tmp_path, files)
    assert_same(snapshot(clean), snapshot(db))
    assert dbcheck.counts(clean) == dbcheck.counts(db)
    with duckdb.connect(str(db), read_only=True) as con:
        log = con.execute("SELECT status, files_new, started_at, finished_at FROM ingest_runs ORDER BY started_at").fetchall()
    assert [r[0] for r in log] == ["completed", "completed"]
    # Each file was written by exactly one of them (the other found it written and skipped it).
    assert sum(r[1] for r in log) == sum(len(v) for v in files.values())
    print(f"\ntwo ingests: files written {[r[1] for r in log]}; "
          f"{'interleaved in the database' if log[1][2] < log[0][3] else 'the second waited for the first'}")


@pytest.mark.slow
def test_readers_during_an_ingest_see_whole_weeks_and_never_a_traceback(tmp_path: Path) -> None:
    all_files = month_files(8)
    old = {"ana": all_files["ana"][:3], "ben": all_files["ben"][:2]}
    db = tmp_path / "h.duckdb"
    ingest([str(make_inbox(tmp_path / "old-inbox", old))], db, CONFIG, OPTIONS)
    inbox = make_inbox(tmp_path / "inbox", all_files)

    def week_state(rows: list[dict]) -> tuple:
        for row in rows:
            problem = dbcheck.week_row_problem(row)
            assert problem is None, problem
        return tuple((r["athlete_id"], r["week_start"], r["counted_n"]) for r in rows)

    def read_plain() -> tuple:
        with duckdb.connect(str(db), read_only=True) as con:
            cur = con.execute(dbcheck.WEEK_VS_WORKOUTS)
            names = [d[0] for d in cur.description]
            return week_state([dict(zip(names, r, strict=False)) for r in cur.fetchall()])

    initial = read_plain()
    stop = threading.Event()
    seen: dict[str, list] = {"sql": [], "weeks": [], "plain": []}
    outcomes: dict[str, list[str]] = {"sql": [], "weeks": [], "plain": []}
    errors: list[BaseException] = []

    def loop(name: str, once) -> None:  # type: ignore[no-untyped-def]
        try:
            while True:
                last = stop.is_set()
                once()
                if last:
                    return
                stop.wait(0.05)  # pacing, so the writer gets its turns at the lock
        except BaseException as exc:
            errors.append(exc)

    def sql_once() -> None:
        run = hamflow(["sql", dbcheck.WEEK_VS_WORKOUTS, "--db", str(db), "--format", "json"], tmp_path / "sql", timeout=120)
        outcomes["sql"].append(acceptable_reader_run(run))
        if run.returncode == 0:
            seen["sql"].append(week_state(json.loads(run.stdout)))

    def weeks_once() -> None:
        run = hamflow(["weeks", "--db", str(db), "--format", "json", "--weeks", "520"], tmp_path / "weeks", timeout=120)
        outcomes["weeks"].append(acceptable_reader_run(run))
        if run.returncode == 0:
            rows = json.loads(run.stdout)
            seen["weeks"].append(tuple((r["athlete_id"], r["week_start"], r["workouts"]) for r in rows))

    def plain_once() -> None:
        try:
            seen["plain"].append(read_plain())
            outcomes["plain"].append("answered")
        except duckdb.IOException as exc:  # a plain DuckDB client gets the lock error and must retry
            assert "lock" in str(exc).lower(), exc
            outcomes["plain"].append("busy")

    readers = [threading.Thread(target=loop, args=(n, f)) for n, f in (("sql", sql_once), ("weeks", weeks_once), ("plain", plain_once))]
    writer = Child(ingest_args(inbox, db, batch_size=1), tmp_path / "ingest")
    for t in readers:
        t.start()
    try:
        written = writer.result(240)
    finally:
        stop.set()
        for t in readers:
            t.join(180)
    assert not errors, errors
    assert written.returncode == 0, written.describe()
    final = read_plain()
    clean = clean_reference(tmp_path, all_files)
    assert_same(snapshot(clean), snapshot(db))

    states = seen["sql"] + seen["plain"]
    middle = [s for s in states if s not in (initial, final)]
    print(f"\nreaders: {{name: (answers, busy)}} = "
          f"{ {k: (v.count('answered'), v.count('busy')) for k, v in outcomes.items()} }; "
          f"{len(set(states))} distinct states, {len(middle)} snapshots between the old and new state")
    assert seen["sql"] and seen["weeks"] and seen["plain"]
    assert middle, "no reader saw the database while the ingest was writing it"
    # `hamflow weeks` answers from one snapshot too: every week between its old and new count.
    low = {(a, w): n for a, w, n in initial}
    high = {(a, w): n for a, w, n in final}
    for rows in seen["weeks"]:
        for a, w, n in rows:
            assert low.get((a, w), 0) <= n <= high.get((a, w), 0), (a, w, n)
