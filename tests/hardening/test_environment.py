"""A hostile environment: a read-only database location, a full disk, an inbox that vanishes.

Each failure must end the command with one clear line and a non-zero exit, lose nothing that was
already in the database, and leave it so that the next run, in a sound environment, completes.

Read-only and full storage are made real, not simulated, with whatever this machine permits:

- read-only: ``chmod`` of the folder and file (for root, whose permission checks ``chmod`` does
  not bind, the child runs without the capabilities that bypass them: CAP_DAC_OVERRIDE,
  CAP_DAC_READ_SEARCH, CAP_FOWNER), a tmpfs remounted read-only (when ``mount`` is permitted), and
  ``chattr +i`` (when the file system and capabilities allow it); every one this machine allows
  is tried, and only if it allows none does a file-size limit of 0 make every write fail;
- full: a small tmpfs filled up (when ``mount`` is permitted), and always the kernel's file-size
  limit (RLIMIT_FSIZE), which makes the database's writes fail the way a full disk does.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from hamflow.ingest import IngestOptions, LocalEngine, finish_run, ingest, plan_run, prepare_files, write_prepared
from hamflow.ingest.run import run
from hamflow.model import load_config

from ..helpers import assert_same, make_inbox, sample, snapshot
from . import dbcheck
from .procs import hamflow, ingest_args, one_line_error

CONFIG = load_config(None)
OPTIONS = IngestOptions(settle_s=0.0, batch_size=1)


def one_at_a_time() -> LocalEngine:
    """An engine that reads each batch only when the run is ready for it (no thread prepares
    ahead), so that "after the first written batch" is before the others are read."""
    return LocalEngine(threads=1)
PR_CAPBSET_DROP = 24
CAPS_BYPASSING_PERMISSIONS = (1, 2, 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
Preexec = Callable[[], None] | None


def drop_permission_bypass() -> None:
    """In a child before exec: root keeps no capability that ignores file permissions."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in CAPS_BYPASSING_PERMISSIONS:
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # Python ignores SIGXFSZ: writes get EFBIG

    return apply


def _succeeds(*cmd: str) -> bool:
    return subprocess.run(cmd, capture_output=True).returncode == 0


@cache
def mount_permitted() -> bool:
    probe = Path(os.environ.get("TMPDIR", "/tmp")) / f"hamflow-mount-probe-{os.getpid()}"
    probe.mkdir(exist_ok=True)
    try:
        if not _succeeds("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)):
            return False
        return _succeeds("umount", str(probe))
    except FileNotFoundError:
        return False
    finally:
        with contextlib.suppress(OSError):
            probe.rmdir()


def chattr_permitted(folder: Path) -> bool:
    probe = folder / "chattr-probe"
    probe.write_bytes(b"")
    try:
        if not _succeeds("chattr", "+i", str(probe)):
            return False
        return _succeeds("chattr", "-i", str(probe))
    except FileNotFoundError:
        return False
    finally:
        probe.unlink()


def cap_drop_permitted() -> bool:
    try:
        return subprocess.run(["true"], preexec_fn=drop_permission_bypass).returncode == 0
    except subprocess.SubprocessError:
        return False


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@dataclass
class Setup:
    """A database holding one file, the inbox of the next run (one more file), and the clean
    result of that next run."""

    inbox: Path
    clean: Path
    base: Path

    def database_in(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "h.duckdb"
        shutil.copy2(self.base, db)
        return db


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    root = tmp_path_factory.mktemp("env")
    first, second = sample("incline_walk"), sample("track_sprints")
    base = root / "base.duckdb"
    ingest([str(make_inbox(root / "first", {"ana": [first]}))], base, CONFIG, OPTIONS)
    inbox = make_inbox(root / "inbox", {"ana": [first, second]})
    clean = root / "clean.duckdb"
    ingest([str(inbox)], clean, CONFIG, OPTIONS)
    return Setup(inbox, clean, base)


def fails_cleanly_then_recovers(setup: Setup, db: Path, scratch: Path, *, preexec: Preexec,
                                undo: Callable[[], None], expect: tuple[str, ...]) -> str:
    """Run the ingest in the bad environment: one line, non-zero, nothing lost. Then undo the
    environment and run again: the clean result."""
    before, before_counts = snapshot(db), dbcheck.counts(db)
    try:
        failed = hamflow(ingest_args(setup.inbox, db, batch_size=1), scratch, preexec_fn=preexec, timeout=120)
    finally:
        undo()
    line = one_line_error(failed)
    assert any(e in line for e in expect), line
    assert_same(before, snapshot(db))
    assert dbcheck.counts(db) == before_counts
    done = hamflow(ingest_args(setup.inbox, db, batch_size=1), scratch, timeout=120)
    assert done.returncode == 0, done.describe()
    assert_same(snapshot(setup.clean), snapshot(db))
    assert dbcheck.problems(db) == []
    return line


def test_database_on_a_read_only_location(setup: Setup, tmp_path: Path) -> None:
    root = os.geteuid() == 0
    seen: dict[str, str] = {}

    if not root or cap_drop_permitted():
        preexec = drop_permission_bypass if root else None
        # Folder and file read-only: the database cannot even be opened for writing.
        db = setup.database_in(tmp_path / "chmod-all")
        db.chmod(0o444)
        db.parent.chmod(0o555)

        def undo_all() -> None:
            db.parent.chmod(0o755)
            db.chmod(0o644)

        seen["chmod folder and file"] = fails_cleanly_then_recovers(
            setup, db, tmp_path / "run", preexec=preexec, undo=undo_all, expect=("cannot write", "cannot open"))

        # The file is writable but its folder is not: DuckDB cannot create its write-ahead log.
        folder_only = setup.database_in(tmp_path / "chmod-folder")
        folder_only.chmod(0o666)
        folder_only.parent.chmod(0o555)
        seen["chmod folder only"] = fails_cleanly_then_recovers(
            setup, folder_only, tmp_path / "run", preexec=preexec, undo=lambda: folder_only.parent.chmod(0o755),
            expect=("cannot write",))

    if root and mount_permitted():
        with tmpfs(tmp_path / "ro-mount", "64m") as folder:
            db = setup.database_in(folder)
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
            seen["read-only mount"] = fails_cleanly_then_recovers(
                setup, db, tmp_path / "run", preexec=None, expect=("cannot write", "cannot open"),
                undo=lambda: subprocess.run(["mount", "-o", "remount,rw", str(folder)], check=True))

    immutable = tmp_path / "immutable"
    immutable.mkdir()
    if root and chattr_permitted(immutable):
        db = setup.database_in(immutable)
        subprocess.run(["chattr", "+i", str(immutable)], check=True)
        seen["chattr +i folder"] = fails_cleanly_then_recovers(
            setup, db, tmp_path / "run", preexec=None, expect=("cannot write",),
            undo=lambda: subprocess.run(["chattr", "-i", str(immutable)], check=True))

    if not seen:  # root without any of those powers: every write of the child fails instead
        db = setup.database_in(tmp_path / "no-writes")
        seen["file size limit 0 (fallback)"] = fails_cleanly_then_recovers(
            setup, db, tmp_path / "run", preexec=file_size_limit(0), undo=lambda: None, expect=("cannot write",))

    print("\nread-only:", *(f"\n  {k}: {v}" for k, v in seen.items()))
    assert seen


def test_disk_full(setup: Setup, tmp_path: Path) -> None:
    seen: dict[str, str] = {}
    # The kernel's file-size limit: every write past 256 kB fails, as on a full disk.
    db = setup.database_in(tmp_path / "fsize")
    seen["file size limit"] = fails_cleanly_then_recovers(
        setup, db, tmp_path / "run", preexec=file_size_limit(256 * 1024), undo=lambda: None, expect=("cannot write",))

    if os.geteuid() == 0 and mount_permitted():
        with tmpfs(tmp_path / "small", "32m") as folder:
            db = setup.database_in(folder)
            free = shutil.disk_usage(folder).free
            filler = folder / "filler"
            # Full to the last byte: DuckDB reuses the free blocks inside its own file (those a
            # migration's ALTER TABLE left), so a batch can land in any room left beside it.
            with open(filler, "wb", buffering=0) as handle, contextlib.suppress(OSError):
                handle.write(b"\0" * free)
            assert shutil.disk_usage(folder).free < 256 * 1024
            seen["full tmpfs"] = fails_cleanly_then_recovers(
                setup, db, tmp_path / "run", preexec=None, undo=filler.unlink, expect=("cannot write",))

    print("\ndisk full:", *(f"\n  {k}: {v}" for k, v in seen.items()))
    assert "No space left" in seen.get("full tmpfs", "No space left") and "too large" in seen["file size limit"].lower()


def test_inbox_removed_mid_run_is_reported_and_ingested_next_time(tmp_path: Path) -> None:
    files = {"ana": [sample("incline_walk"), sample("track_sprints"), sample("easy_run"), sample("bike")]}
    inbox = make_inbox(tmp_path / "inbox", files)
    db = tmp_path / "h.duckdb"
    deleted: list[int] = []

    def delete_after_first_batch(done: int, total: int) -> None:  # called after each written batch
        if not deleted:
            shutil.rmtree(inbox)
            deleted.append(done)

    report = run([str(inbox)], db, CONFIG, OPTIONS, engine=one_at_a_time(), progress=delete_after_first_batch)
    assert report.status == "completed" and deleted == [1]
    assert sorted(q.reason for q in report.quarantined) == ["unreadable"] * 3
    assert dbcheck.problems(db) == []
    assert dbcheck.counts(db)["workouts"] == 1
    make_inbox(inbox, files)  # restored, as a sync client would
    again = ingest([str(inbox)], db, CONFIG, OPTIONS)
    assert again.counts.files_new == 3, again.counts
    clean = tmp_path / "clean.duckdb"
    ingest([str(make_inbox(tmp_path / "clean-inbox", files))], clean, CONFIG, OPTIONS)
    assert_same(snapshot(clean), snapshot(db))


def test_inbox_removed_between_plan_and_prepare(tmp_path: Path) -> None:
    """The steps the Prefect flow runs, with the whole inbox gone after planning."""
    files = {"ana": [sample("incline_walk"), sample("easy_run")], "ben": [sample("row", "ben")]}
    inbox = make_inbox(tmp_path / "inbox", files)
    db = tmp_path / "h.duckdb"
    plan = plan_run([str(inbox)], db, CONFIG, OPTIONS)
    shutil.rmtree(inbox)
    prepared = prepare_files(plan.todo, CONFIG, OPTIONS)
    results = [write_prepared(db, prepared, plan.run_id, CONFIG)]
    report = finish_run(plan, results, [p.outcome for p in prepared])
    assert report.status == "completed"
    assert [q.reason for q in report.quarantined] == ["unreadable"] * 3
    assert dbcheck.problems(db) == [] and dbcheck.counts(db)["workouts"] == 0
    make_inbox(inbox, files)
    again = ingest([str(inbox)], db, CONFIG, OPTIONS)
    assert again.counts.files_new == 3 and again.counts.workouts_added == 3, again.counts
    clean = tmp_path / "clean.duckdb"
    ingest([str(make_inbox(tmp_path / "clean-inbox", files))], clean, CONFIG, OPTIONS)
    assert_same(snapshot(clean), snapshot(db))


def test_file_rewritten_mid_run_is_retried_next_run(tmp_path: Path) -> None:
    """A sync client rewrites a file after the run hashed it and before it is read: that run
    cannot trust what it read, and the next run must still ingest the file once it is whole."""
    files = {"ana": [sample("incline_walk"), sample("track_sprints"), sample("easy_run")]}
    inbox = make_inbox(tmp_path / "inbox", files)
    db = tmp_path / "h.duckdb"
    last = sorted((inbox / "ana").iterdir())[-1]
    whole = last.read_bytes()
    rewritten: list[int] = []

    def rewrite_after_first_batch(done: int, total: int) -> None:
        if not rewritten:
            last.write_bytes(whole[: len(whole) // 2])  # half written, as the client starts over
            rewritten.append(done)

    report = run([str(inbox)], db, CONFIG, OPTIONS, engine=one_at_a_time(), progress=rewrite_after_first_batch)
    assert [(Path(q.path).name, q.reason) for q in report.quarantined] == [(last.name, "changed_during_read")]
    assert dbcheck.problems(db) == []
    last.write_bytes(whole)  # the client finishes: the very bytes the first run hashed
    again = ingest([str(inbox)], db, CONFIG, OPTIONS)
    assert again.counts.files_new == 1 and again.counts.workouts_added == 1, again.counts
    clean = tmp_path / "clean.duckdb"
    ingest([str(make_inbox(tmp_path / "clean-inbox", files))], clean, CONFIG, OPTIONS)
    assert_same(snapshot(clean), snapshot(db))


def test_file_cut_short_mid_run_is_retried_next_run(tmp_path: Path) -> None:
    """As above, but the file is caught so early in its rewrite that nothing of it decodes."""
    files = {"ana": [sample("incline_walk"), sample("track_sprints")]}
    inbox = make_inbox(tmp_path / "inbox", files)
    db = tmp_path / "h.duckdb"
    last = sorted((inbox / "ana").iterdir())[-1]
    whole = last.read_bytes()

    def cut_after_first_batch(done: int, total: int) -> None:
        last.write_bytes(whole[:10])  # not even a header yet

    report = run([str(inbox)], db, CONFIG, OPTIONS, engine=one_at_a_time(), progress=cut_after_first_batch)
    assert [Path(q.path).name for q in report.quarantined] == [last.name]
    last.write_bytes(whole)
    again = ingest([str(inbox)], db, CONFIG, OPTIONS)
    assert again.counts.workouts_added == 1, (again.counts, dbcheck.file_rows(db))
