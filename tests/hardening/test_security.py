"""Hostile inboxes through ``hamflow ingest`` end to end: names that look like SQL or shell,
symbolic links that lead out of the inbox or round in circles, and files too large to read.

(That ``hamflow sql`` cannot change the database is tested in tests/cli/test_commands.py.)
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb

from ..helpers import sample
from . import dbcheck
from .procs import hamflow, ingest_args

#: File names a careless store would splice into SQL or a shell command.
HOSTILE_NAMES = (
    "x'); DROP TABLE workouts; --.fit",
    "quote\"d 'single' and `back`.fit",
    "new\nline and\ttab.fit",
    "$(touch pwned); rm -rf ~ .fit",
    "ünïcødé ☃ name.fit",
)
HOSTILE_ATHLETE = "o'brien\"; DROP TABLE fit_files; --"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_names_that_look_like_sql_or_shell_are_stored_exactly(tmp_path: Path) -> None:
    sources = [sample("incline_walk"), sample("track_sprints"), sample("easy_run"), sample("bike"), sample("row", "ben")]
    inbox = tmp_path / "inbox"
    (inbox / HOSTILE_ATHLETE).mkdir(parents=True)
    written = {}
    for name, source in zip(HOSTILE_NAMES, sources, strict=False):
        target = inbox / HOSTILE_ATHLETE / name
        shutil.copy2(source, target)
        written[str(target)] = sha(target)
    db = tmp_path / "h.duckdb"
    run = hamflow(ingest_args(inbox, db), tmp_path / "run")
    assert run.returncode == 0, run.describe()

    assert dict(rows(db, "SELECT path, file_sha256 FROM fit_files")) == written
    assert rows(db, "SELECT DISTINCT athlete_id FROM fit_files") == [(HOSTILE_ATHLETE,)]
    assert rows(db, "SELECT DISTINCT athlete_id FROM weekly_posterior_load") == [(HOSTILE_ATHLETE,)]
    assert rows(db, "SELECT count(*) FROM workouts") == [(len(HOSTILE_NAMES),)]
    assert dbcheck.problems(db) == []
    assert not any((tmp_path / "run").glob("pwned*")) and not (tmp_path / "pwned").exists()
    # hamflow's own readers give the names back exactly.
    listed = hamflow(["sql", "SELECT path FROM fit_files ORDER BY path", "--db", str(db), "--format", "json"], tmp_path / "run")
    assert listed.returncode == 0, listed.describe()
    assert [r["path"] for r in json.loads(listed.stdout)] == sorted(written)
    shown = hamflow(["workouts", "--db", str(db), "--athlete", HOSTILE_ATHLETE, "--format", "json"], tmp_path / "run")
    assert shown.returncode == 0 and len(json.loads(shown.stdout)) == len(HOSTILE_NAMES), shown.describe()
    # A rerun knows every file by its path.
    again = hamflow(ingest_args(inbox, db), tmp_path / "run")
    assert again.returncode == 0 and rows(db, "SELECT sum(files_new) FROM ingest_runs") == [(len(HOSTILE_NAMES),)]


def test_symlinks_out_of_the_inbox_and_loops_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    secret = shutil.copy2(sample("bike"), outside / "secret.fit")
    other = shutil.copy2(sample("row", "ben"), outside / "deep" / "other.fit")
    inbox = tmp_path / "inbox"
    (inbox / "ana").mkdir(parents=True)
    (inbox / "cy").mkdir()
    ok = shutil.copy2(sample("incline_walk"), inbox / "ana" / "ok.fit")
    (inbox / "ana" / "absolute.fit").symlink_to(secret)
    (inbox / "ana" / "relative.fit").symlink_to(Path("..") / ".." / "outside" / "secret.fit")
    (inbox / "ana" / "hop.fit").symlink_to(inbox / "ana" / "absolute.fit")  # inside -> inside -> outside
    (inbox / "ben").symlink_to(outside, target_is_directory=True)
    (inbox / "ana" / "loop").symlink_to(inbox, target_is_directory=True)
    (inbox / "ana" / "self").symlink_to(Path("."), target_is_directory=True)
    (inbox / "cy" / "same-as-ok.fit").symlink_to(Path("..") / "ana" / "ok.fit")  # stays inside: allowed
    db = tmp_path / "h.duckdb"

    run = hamflow(ingest_args(inbox, db), tmp_path / "run", timeout=120)

    assert run.returncode == 0, run.describe()
    assert [h for (h,) in rows(db, "SELECT file_sha256 FROM fit_files")] == [sha(ok)]
    assert sha(Path(secret)) not in run.stdout and str(outside) not in run.stdout
    paths = {p for (p,) in rows(db, "SELECT path FROM file_paths")}
    assert paths <= {str(ok), str(inbox / "cy" / "same-as-ok.fit")}, paths
    assert not {sha(Path(secret)), sha(Path(other))} & {h for (h,) in rows(db, "SELECT file_sha256 FROM file_paths")}


def test_files_over_the_size_limit_are_quarantined_unread_until_the_limit_is_raised(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "ana").mkdir(parents=True)
    walk = shutil.copy2(sample("incline_walk"), inbox / "ana" / "walk.fit")
    huge = inbox / "ana" / "huge.fit"
    with open(huge, "wb") as handle:  # 100 MiB, sparse: over the default limit of 64 MiB
        handle.truncate(100 * 2**20)
    db = tmp_path / "h.duckdb"
    limit_mb = Path(walk).stat().st_size / 2**20 / 2

    def verdicts() -> dict[str, tuple]:
        got = rows(db, "SELECT path, status, reason, decode_status, file_type, manufacturer FROM fit_files")
        return {Path(r[0]).name: r[1:] for r in got}

    for _ in range(2):  # looked at again by every run, still one row per file
        run = hamflow(ingest_args(inbox, db, "--max-file-mb", f"{limit_mb:.4f}"), tmp_path / "run")
        assert run.returncode == 0, run.describe()
        assert "too_large" in run.stdout
        # Not decoded: nothing the decoder would have found (type, maker, status) is known.
        assert verdicts() == {"walk.fit": ("quarantined", "too_large", None, None, None),
                              "huge.fit": ("quarantined", "too_large", None, None, None)}
    assert dbcheck.counts(db)["workouts"] == 0

    raised = hamflow(ingest_args(inbox, db, "--max-file-mb", "1"), tmp_path / "run")
    assert raised.returncode == 0, raised.describe()
    got = verdicts()
    assert got["walk.fit"][:2] == ("ingested", None) and got["walk.fit"][2:] == ("ok", "activity", "garmin")
    assert got["huge.fit"] == ("quarantined", "too_large", None, None, None)
    assert dbcheck.counts(db)["workouts"] == 1 and dbcheck.problems(db) == []
    # The default limit keeps the sparse 100 MiB file out too.
    default = hamflow(ingest_args(inbox, db), tmp_path / "run")
    assert default.returncode == 0 and verdicts()["huge.fit"][:2] == ("quarantined", "too_large"), default.describe()
