"""A Dask cluster that is not this process's: its workers run in another working directory, as
on any real cluster. Relative paths must not reach them, and when the workers can read none of
the new files the run fails with a message that says so (it used to "complete", every file
quarantined as unreadable)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from hamflow.cli import cli
from hamflow.ingest import IngestError, IngestOptions

from ..helpers import make_inbox, sample

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_in_process")]  # dask_address: tests/conftest.py

@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk"), sample("track_sprints")]})


def test_a_relative_inbox_reaches_workers_in_another_directory(dask_address: str, inbox: Path) -> None:
    result = CliRunner().invoke(cli, ["ingest", "inbox", "--db", "h.duckdb", "--settle", "0", "--task-runner", "dask",
                                      "--dask-address", dask_address, "--always-flow"])
    assert result.exit_code == 0, result.output
    with duckdb.connect("h.duckdb", read_only=True) as con:
        assert con.execute("SELECT count(*) FROM workouts").fetchone() == (2,)
        paths = [r[0] for r in con.execute("SELECT path FROM fit_files ORDER BY path").fetchall()]
    assert paths == sorted(str(p) for p in (inbox / "ana").iterdir())


def test_a_run_whose_workers_can_read_no_file_fails_and_says_why(dask_address: str, inbox: Path) -> None:
    from hamflow_flows.flows import dask_task_runner, run_ingest

    with pytest.raises(IngestError, match=r"none of the 2 new files could be read where they were decoded .*on every worker"):
        run_ingest(["inbox"], "h.duckdb", IngestOptions(settle_s=0.0), task_runner=dask_task_runner(dask_address))
    with duckdb.connect("h.duckdb", read_only=True) as con:
        assert con.execute("SELECT status FROM ingest_runs").fetchall() == [("failed",)]
        assert con.execute("SELECT count(*) FROM workouts").fetchone() == (0,)


def test_the_cluster_s_workers_do_the_work_without_loading_prefect(dask_address: str) -> None:
    """The task runs stay in the flow's process; a worker gets only the library call. The probe
    is a builtin, so a worker in another directory can unpickle it without this test's module;
    its answer comes from elsewhere, as Prefect is loaded here."""
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    from hamflow_flows.flows import dask_task_runner
    from hamflow_flows.pool import in_worker

    @task(name="probe", cache_policy=NO_CACHE)
    def probe() -> bool:
        return bool(in_worker(eval, "'prefect' in __import__('sys').modules"))

    @flow(name="probe", task_runner=dask_task_runner(dask_address))
    def on_the_cluster() -> bool:
        return probe.submit().result()

    assert on_the_cluster() is False
