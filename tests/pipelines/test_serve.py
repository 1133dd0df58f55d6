"""`hamflow serve` for real: a local Prefect server, a schedule every few seconds, one scheduled run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
import pytest

from ..hardening.procs import seed_prefect_home
from ..helpers import make_inbox, sample


def _completed_runs(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            return int(con.execute("SELECT count(*) FROM ingest_runs WHERE status = 'completed'").fetchone()[0])
    except duckdb.Error:  # locked by the run writing it, or not created yet
        return 0


def still_running(processes: list[psutil.Process], within_s: float) -> list[psutil.Process]:
    """Those of ``processes`` still running (zombies aside) after up to ``within_s`` of waiting for them to end."""
    def running(p: psutil.Process) -> bool:
        try:
            return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False

    deadline = time.monotonic() + within_s
    while (alive := [p for p in processes if running(p)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


@pytest.mark.slow
def test_serve_runs_on_schedule_and_stops_cleanly(tmp_path: Path, migrated_prefect_home: Path) -> None:
    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk")]})
    db = tmp_path / "h.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(seed_prefect_home(tmp_path / "prefect-home", migrated_prefect_home))  # its own server database
    env["PREFECT_RUNNER_POLL_FREQUENCY"] = "2"  # the runner looks for due runs every 2 s, not 10
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - closed below
    serve = subprocess.Popen(
        [sys.executable, "-m", "hamflow.cli", "serve", "--inbox", str(inbox), "--db", str(db),
         "--every", "10s", "--timezone", "Europe/Berlin", "--settle", "0"],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    try:
        deadline = time.monotonic() + 600  # a hang guard: server start-up, the next due time, the run
        while _completed_runs(db) < 1:
            assert serve.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "no scheduled run completed:\n" + (tmp_path / "serve.log").read_text()[-3000:]
            time.sleep(2)
        with duckdb.connect(str(db), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM workouts").fetchone() == (1,)
        children = psutil.Process(serve.pid).children(recursive=True)
        assert any("server" in " ".join(c.cmdline()) for c in children if c.is_running())
    finally:
        serve.send_signal(signal.SIGTERM)
        code = serve.wait(timeout=60)
        log.close()
    text = (tmp_path / "serve.log").read_text()
    assert code == 0, text[-3000:]
    assert not still_running(children, within_s=60), "prefect server left running"
    # One line per run, with its counts; nothing from Python at exit.
    runs = [line for line in text.splitlines() if " UTC run " in line]
    assert runs and all(" completed in " in line for line in runs), text[-3000:]
    assert "1 workouts added" in runs[0], text[-3000:]
    assert "RuntimeWarning" not in text and "Traceback" not in text, text[-3000:]
