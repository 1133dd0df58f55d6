"""An unchanged inbox is recognised before any scheduler starts (the common nightly case)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from hamflow.cli import cli
from hamflow.ingest import IngestError, has_new_files

from ..helpers import make_inbox, sample

#: A Prefect API nobody listens on: a command that starts a flow run against it fails.
DEAD_PREFECT = {"PREFECT_API_URL": "http://127.0.0.1:9/api", "PREFECT_CLIENT_MAX_RETRIES": "0"}


def _ingest(inbox: Path, db: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **DEAD_PREFECT}
    return subprocess.run([sys.executable, "-m", "hamflow.cli", "ingest", str(inbox), "--db", str(db), "--settle", "0", *extra],
                          env=env, capture_output=True, text=True, timeout=120)


def test_has_new_files_follows_the_path_index(tmp_path: Path) -> None:
    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk")]})
    db = tmp_path / "h.duckdb"
    assert has_new_files([inbox], db)  # no database yet
    assert CliRunner().invoke(cli, ["ingest", str(inbox), "--db", str(db), "--engine", "local", "--settle", "0"]).exit_code == 0
    assert not has_new_files([inbox], db)
    added = inbox / "ana" / sample("track_sprints").name
    added.write_bytes(sample("track_sprints").read_bytes())
    assert has_new_files([inbox], db)  # a new file
    assert CliRunner().invoke(cli, ["ingest", str(inbox), "--db", str(db), "--engine", "local", "--settle", "0"]).exit_code == 0
    assert not has_new_files([inbox], db)
    os.utime(added, ns=(added.stat().st_atime_ns, added.stat().st_mtime_ns + 1_000_000_000))
    assert has_new_files([inbox], db)  # touched: hashed again by the run, which decides
    with pytest.raises(IngestError, match="no such file or directory"):  # before any scheduler starts
        has_new_files([tmp_path / "missing"], db)
    (tmp_path / "empty").mkdir()
    with pytest.raises(IngestError, match="no FIT files under"):
        has_new_files([tmp_path / "empty"], db)


def test_unchanged_inbox_runs_without_prefect_and_is_recorded(tmp_path: Path) -> None:
    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk")]})
    db = tmp_path / "h.duckdb"
    assert CliRunner().invoke(cli, ["ingest", str(inbox), "--db", str(db), "--engine", "local", "--settle", "0"]).exit_code == 0
    done = _ingest(inbox, db)  # the default engine is prefect, whose API here is dead
    assert done.returncode == 0, done.stderr
    assert "already known" in done.stdout
    forced = _ingest(inbox, db, "--always-flow")
    assert forced.returncode != 0 and "127.0.0.1:9" in forced.stderr + forced.stdout  # the flow needs the API
    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute("SELECT status, files_known FROM ingest_runs ORDER BY started_at").fetchall()
    assert runs[:2] == [("completed", 0), ("completed", 1)]
