"""Mutated FIT files through a real ingest: every file accounted for, nothing half written.

90 mutants of the fuzz seeds (``HAMFLOW_FUZZ_SEED``, see test_fuzz_decode.py), most of them
mutations that still decode so they reach the model and the store, are dropped into an inbox
next to three good files of another athlete and ingested into a real DuckDB file.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb
import polars as pl

from hamflow.fit import REASONS
from hamflow.ingest import IngestOptions, ingest
from hamflow.model import load_config

from ..helpers import assert_same, make_inbox, sample, snapshot
from . import dbcheck
from .fitfuzz import mutants

SEED = int(os.environ.get("HAMFLOW_FUZZ_SEED", "20261124"))
N_MUTANTS = 90
CONFIG = load_config(None)
OPTIONS = IngestOptions(settle_s=0.0)
#: Reasons a file can be quarantined with besides the decoder's (hamflow/ingest/prepare.py).
STORE_REASONS = {"too_large", "changed_during_read", "classify_error"}


def pick_mutants(seeds: dict[str, bytes], exclude: set[bytes]) -> list[tuple[str, bytes]]:
    """Two thirds mutations that mostly decode (they reach the model and the store), one third
    of the kinds that mostly break files; distinct bytes only."""
    deep = {"values", "crop", "splice", "bitflip", "definition"}
    picked: list[tuple[str, bytes]] = []
    seen = set(exclude)
    quota = {True: N_MUTANTS * 2 // 3, False: N_MUTANTS - N_MUTANTS * 2 // 3}
    for case in mutants(seeds, 1500, SEED + 1):
        kind = case.name.split("|")[1].split(".")[0]
        if case.data in seen or quota[kind in deep] == 0:
            continue
        quota[kind in deep] -= 1
        seen.add(case.data)
        picked.append((case.name, case.data))
    assert len(picked) == N_MUTANTS
    return picked


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def athlete_rows(db: Path, athlete: str) -> dict[str, pl.DataFrame]:
    snap = snapshot(db, ("workouts", "weekly_posterior_load", "segments", "workout_patterns"))
    ids = set(snap["workouts"].filter(pl.col("athlete_id") == athlete)["workout_id"])
    out = {t: f.filter(pl.col("athlete_id") == athlete) for t, f in snap.items() if "athlete_id" in f.columns}
    out.update({t: f.filter(pl.col("workout_id").is_in(ids)) for t, f in snap.items() if "athlete_id" not in f.columns})
    return out


def test_mutated_files_through_a_real_ingest(fuzz_seeds: dict[str, bytes], tmp_path: Path) -> None:
    good = [sample("incline_walk"), sample("track_sprints"), sample("easy_run")]
    inbox = make_inbox(tmp_path / "inbox", {"ana": good})
    cases = pick_mutants(fuzz_seeds, {p.read_bytes() for p in good})
    (inbox / "fuzz").mkdir()
    written: dict[str, str] = {}  # path -> sha256
    names: dict[str, str] = {}  # sha256 -> mutation
    for i, (name, data) in enumerate(cases):
        path = inbox / "fuzz" / f"case-{i:03d}.fit"
        path.write_bytes(data)
        sha = hashlib.sha256(data).hexdigest()
        written[str(path)] = sha
        names[sha] = name
    written.update({str(inbox / "ana" / p.name): hashlib.sha256(p.read_bytes()).hexdigest() for p in good})
    db = tmp_path / "h.duckdb"

    report = ingest([str(inbox)], db, CONFIG, OPTIONS)

    assert report.status == "completed"
    assert report.counts.files_seen == len(written) == report.counts.files_new
    # Every file has exactly one row, found through its own path.
    files = dbcheck.file_rows(db)
    assert set(files) == set(written.values())
    paths = dict(rows(db, "SELECT path, file_sha256 FROM file_paths"))
    assert {p: paths.get(p) for p in written} == written
    statuses = {}
    for sha, (status, reason, _athlete, _decode_status) in files.items():
        assert status in {"ingested", "not_activity", "quarantined"}
        if status == "quarantined":
            assert reason in set(REASONS) | STORE_REASONS, (names.get(sha), reason)
            assert reason != "classify_error", f"the model failed on {names.get(sha)}: {rows(db, f'SELECT detail FROM fit_files WHERE file_sha256 = {sha!r}')}"
        statuses[status] = statuses.get(status, 0) + 1
    # The good files all land, exactly as in a run without the mutants.
    assert {files[written[str(inbox / "ana" / p.name)]][0] for p in good} == {"ingested"}
    clean = tmp_path / "clean.duckdb"
    ingest([str(make_inbox(tmp_path / "clean-inbox", {"ana": good}))], clean, CONFIG, OPTIONS)
    expected, got = athlete_rows(clean, "ana"), athlete_rows(db, "ana")
    assert_same(expected, got)
    # Mutants reached every outcome, and the store holds no partial rows.
    print(f"\ningest fuzz: {statuses}; quarantine reasons "
          f"{dict(rows(db, 'SELECT reason, count(*) FROM fit_files WHERE status = ' + repr('quarantined') + ' GROUP BY ALL'))}")
    assert statuses.get("ingested", 0) >= 30 and statuses.get("quarantined", 0) >= 20, statuses
    assert dbcheck.problems(db) == []

    # A rerun finds everything known and changes nothing.
    before = snapshot(db)
    again = ingest([str(inbox)], db, CONFIG, OPTIONS)
    assert again.counts.files_new == 0 and again.counts.files_known == len(written)
    assert_same(before, snapshot(db))
