"""Running ``hamflow`` as a user does, in a child process, and killing it like ``kill -9``.

Every child runs in its own session (so its process group holds it and anything it starts: the
Prefect engine's worker processes and server), in a scratch folder without a ``hamflow.toml``,
with its output in files (a full pipe must never stall it) and with a private ``PREFECT_HOME``
(a killed run must not leave the user's Prefect database half written).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

HAMFLOW = [sys.executable, "-m", "hamflow.cli"]
#: Variables of the developer's shell that would change what a child does.
_SCRUB = ("HAMFLOW_CRASH_AT", "HAMFLOW_STOP_AT", "HAMFLOW_CONFIG", "HAMFLOW_DB", "HAMFLOW_LOCK_TIMEOUT", "PREFECT_API_URL")


def child_env(scratch: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    env.update(PREFECT_HOME=str(scratch / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_LOGGING_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def seed_prefect_home(home: Path, migrated: Path) -> Path:
    """``home`` with a copy of the migrated Prefect database of ``migrated`` (the
    ``migrated_prefect_home`` fixture), so a temporary server started there skips the first
    start's migrations."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy2(migrated / "prefect.db", home / "prefect.db")
    return home


@dataclass
class Run:
    """A finished child: exit code (negative: killed by that signal) and its output."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def lines(self) -> list[str]:
        return [line for line in (self.stdout + "\n" + self.stderr).splitlines() if line.strip()]

    def describe(self) -> str:
        return f"hamflow {' '.join(self.args)} -> {self.returncode} after {self.seconds:.1f} s\n--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-3000:]}"


class Child:
    """One ``hamflow`` process group, started now."""

    def __init__(self, args: Sequence[str], scratch: Path, env: dict[str, str] | None = None,
                 preexec_fn: Callable[[], None] | None = None) -> None:
        scratch.mkdir(parents=True, exist_ok=True)
        self.args = [str(a) for a in args]
        stamp = f"{time.monotonic_ns()}"
        self._out = open(scratch / f"out-{stamp}.txt", "w+")
        self._err = open(scratch / f"err-{stamp}.txt", "w+")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            HAMFLOW + self.args, cwd=scratch, env=env or child_env(scratch), stdout=self._out, stderr=self._err,
            stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=preexec_fn, text=True,
        )
        self.pgid = self.proc.pid  # start_new_session: the child leads its own group

    def wait(self, timeout: float | None) -> int | None:
        """The exit code, or None if still running after ``timeout`` seconds."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill_group(self) -> None:
        """SIGKILL the whole process group at once, then wait until none of it is left."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        deadline = time.monotonic() + 30
        while (left := group_members(self.pgid)) and time.monotonic() < deadline:
            psutil.wait_procs(left, timeout=0.5)
        assert not group_members(self.pgid), f"processes of group {self.pgid} outlived SIGKILL"

    def result(self, timeout: float = 300) -> Run:
        code = self.wait(timeout)
        if code is None:
            self.kill_group()
            raise AssertionError(f"hamflow {' '.join(self.args)} did not finish within {timeout} s")
        return self._collect()

    def _collect(self) -> Run:
        self._out.seek(0)
        self._err.seek(0)
        out, err = self._out.read(), self._err.read()
        self._out.close()
        self._err.close()
        return Run(self.args, self.proc.returncode, out, err, time.monotonic() - self.started)

    def killed(self) -> Run:
        return self._collect()


def group_members(pgid: int) -> list[psutil.Process]:
    alive = []
    for p in psutil.process_iter(["pid", "status"]):
        try:
            if os.getpgid(p.pid) == pgid and p.info["status"] != psutil.STATUS_ZOMBIE:
                alive.append(p)
        except (ProcessLookupError, psutil.Error):
            continue
    return alive


def hamflow(args: Sequence[str], scratch: Path, *, env: dict[str, str] | None = None, timeout: float = 300,
            preexec_fn: Callable[[], None] | None = None) -> Run:
    """Run ``hamflow ARGS`` to completion."""
    return Child(args, scratch, env, preexec_fn).result(timeout)


def ingest_args(inbox: Path, db: Path, *more: str, engine: str = "local", batch_size: int = 8, write_samples: int = 0) -> list[str]:
    """``--write-samples 0`` by default: each batch is a transaction of its own, so a test can
    count commits in batches of files."""
    return ["ingest", str(inbox), "--db", str(db), "--engine", engine, "--settle", "0", "--batch-size", str(batch_size),
            "--write-samples", str(write_samples), *more]


def one_line_error(run: Run) -> str:
    """The single line a failing command printed; fails on a traceback or several lines."""
    assert run.returncode not in (0, None) and run.returncode > 0, run.describe()
    assert "Traceback" not in run.stderr, run.describe()
    lines = run.lines()
    assert len(lines) == 1, run.describe()
    return lines[0]
