"""Prefect's start-up, as a user meets it: what it needs is checked first and said in one line,
its temporary server gets the time a busy machine needs and never outlives the command, and its
console stays quiet."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import psutil
import pytest

from ..helpers import make_inbox, sample
from .procs import Child, child_env, hamflow, one_line_error, seed_prefect_home

pytestmark = pytest.mark.slow


def ingest(inbox: Path, db: Path) -> list[str]:
    return ["ingest", str(inbox), "--db", str(db), "--settle", "0"]  # the default engine: Prefect


def test_an_empty_folder_fails_at_once_without_starting_prefect(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    home = tmp_path / "prefect-never"
    run = hamflow(ingest(tmp_path / "empty", tmp_path / "h.duckdb"), tmp_path, env=child_env(tmp_path, PREFECT_HOME=str(home)))
    assert one_line_error(run) == f"Error: no FIT files under {tmp_path / 'empty'}"
    assert not home.exists()  # Prefect was never imported


def test_a_prefect_home_that_cannot_be_created_is_named_in_one_line(tmp_path: Path) -> None:
    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk")]})
    (tmp_path / "a-file").write_text("not a folder")
    home = tmp_path / "a-file" / "prefect"
    run = hamflow(ingest(inbox, tmp_path / "h.duckdb"), tmp_path, env=child_env(tmp_path, PREFECT_HOME=str(home)))
    assert one_line_error(run).startswith(f"Error: Prefect cannot use its home folder {home} (Not a directory)")


def test_a_configured_server_that_does_not_answer_is_one_line(tmp_path: Path) -> None:
    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk")]})
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/api"
        run = hamflow(ingest(inbox, tmp_path / "h.duckdb"), tmp_path, env=child_env(tmp_path, PREFECT_API_URL=url))
    assert one_line_error(run).startswith(f"Error: no Prefect server answers at PREFECT_API_URL={url}")


# The temporary server is hamflow's own subprocess: started first, stopped however the run ends.

def _server_processes(home: Path) -> list[psutil.Process]:
    """Live processes started for the run whose Prefect home is ``home`` (they inherit it)."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get("PREFECT_HOME") == str(home) and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except psutil.Error:
            continue
    return found


def _none_left(home: Path, within_s: float = 60.0) -> list[psutil.Process]:
    """What is still alive of the run after ``within_s`` (a hang guard: what stops does so at once)."""
    _, alive = psutil.wait_procs(_server_processes(home), timeout=within_s)
    return [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def _stopped_at(child: Child, within_s: float = 300.0) -> None:
    """Wait until the child has stopped itself (HAMFLOW_STOP_AT); fail if it exits instead."""
    proc = psutil.Process(child.proc.pid)
    deadline = time.monotonic() + within_s
    while proc.status() != psutil.STATUS_STOPPED:
        assert child.proc.poll() is None and time.monotonic() < deadline, child.killed().describe()
        time.sleep(0.2)


def test_three_runs_at_once_from_fresh_prefect_homes_complete_quietly_never_load_the_server_and_leave_nothing_running(
        tmp_path: Path) -> None:
    """Three temporary servers starting together on two cores, each migrating a new database:
    the load that made a 20-second start-up limit fail. Prefect's own log lines (a WARNING per
    quarantined file) stay off the terminal: the summary reports the file. The command never
    imports the server's code (its server does), and when it ends nothing it started runs on."""
    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk"), sample("easy_run")]})
    (inbox / "ana" / "broken.fit").write_bytes(sample("incline_walk").read_bytes()[:100])
    scratches = [tmp_path / f"run{i}" for i in range(3)]
    # Every module each command imports, on its stderr.
    envs = [child_env(scratch, PYTHONPROFILEIMPORTTIME="1") for scratch in scratches]
    children = [Child(ingest(inbox, tmp_path / f"h{i}.duckdb"), scratch, env)
                for i, (scratch, env) in enumerate(zip(scratches, envs, strict=True))]
    for child, env in zip(children, envs, strict=True):
        run = child.result(timeout=600)
        assert run.returncode == 0, run.describe()
        assert run.stdout.startswith("ingest completed") and "broken.fit" in run.stdout, run.describe()
        noise = [line for line in run.lines() if "| WARNING" in line or "| ERROR" in line or "Traceback" in line]
        assert noise == [], run.describe()
        imported = {line.rsplit("|", 1)[1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}
        assert "prefect.flows" in imported  # the flow ran here ...
        assert not [m for m in imported if m.startswith("prefect.server")]  # ... the server's code only in the server
        assert _none_left(Path(env["PREFECT_HOME"])) == []


def test_a_temporary_server_that_does_not_answer_in_time_is_one_line_and_is_stopped(tmp_path: Path) -> None:
    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk")]})
    env = child_env(tmp_path, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="0")
    line = one_line_error(hamflow(ingest(inbox, tmp_path / "h.duckdb"), tmp_path, env=env))
    assert line.startswith("Error: Prefect's temporary server did not answer on http://127.0.0.1:"), line
    assert "raise PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS" in line and line.endswith("or run with --engine local (no Prefect)")
    assert _none_left(Path(env["PREFECT_HOME"])) == []


def test_a_temporary_server_that_exits_while_starting_is_named_with_its_last_words(tmp_path: Path) -> None:
    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk")]})
    (tmp_path / "a-file").write_text("not a folder")
    database = f"sqlite+aiosqlite:///{tmp_path / 'a-file' / 'prefect.db'}"  # a database it cannot create
    env = child_env(tmp_path, PREFECT_API_DATABASE_CONNECTION_URL=database)
    line = one_line_error(hamflow(ingest(inbox, tmp_path / "h.duckdb"), tmp_path, env=env))
    assert line.startswith("Error: Prefect's temporary server exited with code "), line
    assert "while starting (" in line and line.endswith("or run with --engine local (no Prefect)")
    assert "TIMEOUT" not in line  # more time would not help
    assert _none_left(Path(env["PREFECT_HOME"])) == []


def test_ctrl_c_in_the_middle_of_a_run_stops_its_temporary_server(tmp_path: Path, migrated_prefect_home: Path) -> None:
    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk"), sample("easy_run")]})
    env = child_env(tmp_path, HAMFLOW_STOP_AT="write:committed")
    seed_prefect_home(Path(env["PREFECT_HOME"]), migrated_prefect_home)
    child = Child(ingest(inbox, tmp_path / "h.duckdb"), tmp_path, env)
    _stopped_at(child)
    home = Path(env["PREFECT_HOME"])
    assert any("create_app" in " ".join(p.cmdline()) for p in _server_processes(home))  # up, mid-run
    os.kill(child.proc.pid, signal.SIGINT)
    os.kill(child.proc.pid, signal.SIGCONT)
    run = child.result(timeout=300)
    assert run.returncode != 0, run.describe()
    assert _none_left(home) == []


def test_a_killed_run_takes_its_temporary_server_with_it(tmp_path: Path, migrated_prefect_home: Path) -> None:
    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk"), sample("easy_run")]})
    env = child_env(tmp_path, HAMFLOW_CRASH_AT="write:committed")
    seed_prefect_home(Path(env["PREFECT_HOME"]), migrated_prefect_home)
    run = hamflow(ingest(inbox, tmp_path / "h.duckdb"), tmp_path, env=env)
    assert run.returncode == -signal.SIGKILL, run.describe()  # no cleanup ran
    assert _none_left(Path(env["PREFECT_HOME"])) == []


def test_a_server_named_only_in_a_prefect_profile_is_used_and_the_one_started_on_a_guess_is_stopped(
        tmp_path: Path, prefect_api_url: str) -> None:
    """The command starts a temporary server before importing Prefect when the environment names
    no server; a profile can still name one, and then the run goes there and nothing of the
    guess is left running."""
    import asyncio

    from prefect.client.orchestration import get_client

    async def flow_runs() -> int:
        async with get_client() as client:
            return len(await client.read_flow_runs(limit=200))

    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk")]})
    env = child_env(tmp_path)
    home = Path(env["PREFECT_HOME"])
    home.mkdir(parents=True)
    (home / "profiles.toml").write_text(
        f'active = "elsewhere"\n\n[profiles.elsewhere]\nPREFECT_API_URL = "{prefect_api_url}"\n'
        'PREFECT_SERVER_ANALYTICS_ENABLED = "false"\n'
    )
    before = asyncio.run(flow_runs())
    run = hamflow(ingest(inbox, tmp_path / "h.duckdb"), tmp_path, env=env)
    assert run.returncode == 0 and run.stdout.startswith("ingest completed"), run.describe()
    assert asyncio.run(flow_runs()) == before + 1  # the run went to the profile's server
    assert _none_left(home) == []
