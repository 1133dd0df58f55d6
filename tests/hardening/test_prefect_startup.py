"""Prefect's start-up, as a user meets it: what it needs is checked first and said in one line,
its temporary server gets the time a busy machine needs, and its console stays quiet."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from ..helpers import make_inbox, sample
from .procs import Child, child_env, hamflow, one_line_error

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


def test_three_runs_at_once_each_from_a_fresh_prefect_home_complete_and_print_only_the_summary(tmp_path: Path) -> None:
    """Three temporary servers starting together on two cores, each migrating a new database:
    the load that made a 20-second start-up limit fail. Prefect's own log lines (a WARNING per
    quarantined file) stay off the terminal: the summary reports the file."""
    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk"), sample("easy_run")]})
    (inbox / "ana" / "broken.fit").write_bytes(sample("incline_walk").read_bytes()[:100])
    children = [Child(ingest(inbox, tmp_path / f"h{i}.duckdb"), tmp_path / f"run{i}") for i in range(3)]
    for child in children:
        run = child.result(timeout=600)
        assert run.returncode == 0, run.describe()
        assert run.stdout.startswith("ingest completed") and "broken.fit" in run.stdout, run.describe()
        noise = [line for line in run.lines() if "| WARNING" in line or "| ERROR" in line or "Traceback" in line]
        assert noise == [], run.describe()
