"""The real ingest flow on Prefect's test harness: no mocks of Prefect or DuckDB."""

from __future__ import annotations

import importlib
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest
from prefect.task_runners import TaskRunner

from hamflow.ingest import Candidate, IngestOptions, RunReport

from ..archives import activity, garmin_export, sha256, strava_export
from ..helpers import SAMPLES, assert_same, make_inbox, sample, snapshot

#: (inbox, database, report) of the module's first flow run.
FirstRun = tuple[Path, Path, RunReport]

pytestmark = pytest.mark.usefixtures("prefect_in_process")  # tests/conftest.py: one server per run


def _files() -> dict[str, list[Path]]:
    return {
        "ana": [sample("incline_walk"), sample("track_sprints"), sample("easy_run")],
        "ben": [sample("row", "ben"), sample("elliptical", "ben")],
    }


def _run(inbox: Path, db: Path, task_runner: TaskRunner | None = None, **options: Any) -> RunReport:
    from hamflow_flows.flows import run_ingest

    options.setdefault("settle_s", 0.0)
    return run_ingest([str(inbox)], str(db), IngestOptions(**options), task_runner=task_runner)


def _count(db: Path, sql: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> FirstRun:
    """Five good files and one corrupt one, ingested once by the process-pool flow."""
    root = tmp_path_factory.mktemp("flow")
    inbox = make_inbox(root / "inbox", _files())
    shutil.copy2(SAMPLES / "ana" / "2026-10-30-1900-stair.fit", inbox / "ana" / "not-a-fit.fit")  # a CSV named .fit
    db = root / "h.duckdb"
    report = _run(inbox, db)
    return inbox, db, report


def test_new_files_are_ingested(first_run: FirstRun) -> None:
    _inbox, db, report = first_run
    assert report.status == "completed"
    assert report.counts.files_seen == 6 and report.counts.files_new == 6
    assert _count(db, "SELECT count(*) FROM workouts") == 5
    assert _count(db, "SELECT count(DISTINCT athlete_id) FROM weekly_posterior_load") == 2
    assert _count(db, "SELECT count(*) FROM ingest_runs WHERE status = 'completed'") >= 1


def test_corrupt_file_is_quarantined_while_the_others_land(first_run: FirstRun) -> None:
    inbox, db, report = first_run
    assert [(Path(q.path).name, q.reason) for q in report.quarantined] == [("not-a-fit.fit", "not_fit")]
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("SELECT status, reason FROM fit_files WHERE path LIKE '%not-a-fit.fit'").fetchone()
    assert row == ("quarantined", "not_fit")
    assert (inbox / "ana" / "not-a-fit.fit").exists()  # never moved or deleted


def test_rerun_is_a_no_op(first_run: FirstRun) -> None:
    inbox, db, _ = first_run
    before = snapshot(db)
    report = _run(inbox, db)
    assert report.counts.files_new == 0 and report.counts.files_known == 6
    assert report.counts.workouts_added == 0 and report.counts.weeks_updated == 0
    assert_same(before, snapshot(db))


def test_artifact_is_published(first_run: FirstRun) -> None:
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    async def latest() -> list:
        async with get_client() as client:
            return await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["hamflow-ingest"])))

    # The server is shared by every flow test of the session: find this run's artifact by its run id.
    _inbox, _db, report = first_run
    ours = [a.data for a in asyncio.run(latest()) if isinstance(a.data, str) and f"Run `{report.run_id}`" in a.data]
    assert len(ours) == 1, "no hamflow-ingest artifact for this run"
    text = ours[0]
    assert "Quarantined files" in text or "quarantined" in text
    assert "latest week with data" in text.lower() and "posterior_load" in text
    assert "## What next" in text and text.count("not medical advice") == 1
    assert "### ana" in text and "### ben" in text


def test_growing_file_is_deferred_then_picked_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_module = importlib.import_module("hamflow.ingest.run")  # the module: hamflow.ingest.run is also a function

    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk")]})
    data = sample("row_ciq").read_bytes()
    growing = inbox / "ana" / "row-syncing.fit"
    half = len(data) // 2
    growing.write_bytes(data[:half])
    settle = run_module.split_unsettled

    def client_copies_on(candidates: Sequence[Candidate], settle_s: float) -> tuple[list[Candidate], list[Candidate]]:
        # A sync client still copying the file: more bytes arrive after the run found the
        # files and before its settle check looks again (no writer thread racing the check).
        with open(growing, "ab") as handle:
            handle.write(data[half : half + 4096])
        return settle(candidates, settle_s)

    monkeypatch.setattr(run_module, "split_unsettled", client_copies_on)
    report = _run(inbox, tmp_path / "h.duckdb", settle_s=0.2)
    assert report.deferred == [str(growing)]
    assert report.counts.files_new == 1
    monkeypatch.undo()
    growing.write_bytes(data)  # the copy finished
    report = _run(inbox, tmp_path / "h.duckdb", settle_s=0.2)
    assert report.counts.files_new == 1 and report.deferred == []
    assert _count(tmp_path / "h.duckdb", "SELECT count(*) FROM workouts") == 2


def test_dask_gives_the_same_tables_as_the_process_pool(first_run: FirstRun, tmp_path: Path) -> None:
    from hamflow_flows.flows import dask_task_runner

    inbox, db, _ = first_run
    dask_db = tmp_path / "dask.duckdb"
    report = _run(inbox, dask_db, task_runner=dask_task_runner(workers=2))
    assert report.status == "completed" and report.counts.files_new == 6
    assert_same(snapshot(db), snapshot(dask_db))


def test_one_file_per_batch_and_two_in_flight_writes_every_file_in_order(first_run: FirstRun, tmp_path: Path) -> None:
    """A small window of prepare tasks changes neither what is written nor the order of writes."""
    inbox, db, _ = first_run
    small = tmp_path / "small.duckdb"
    report = _run(inbox, small, batch_size=1, in_flight=2, pool_min_bytes=0)
    assert report.status == "completed" and report.counts.files_new == 6
    with duckdb.connect(str(small), read_only=True) as con:
        written = [r[0] for r in con.execute("SELECT path FROM fit_files ORDER BY ingested_at").fetchall()]
        decode_s, wait_s = con.execute("SELECT decode_s, prepare_wait_s FROM ingest_runs WHERE run_id = ?", [report.run_id]).fetchone()
    assert written == sorted(str(p) for p in inbox.rglob("*.fit"))  # one transaction per file, in path order
    assert_same(snapshot(db), snapshot(small))
    assert decode_s > 0 and wait_s > 0  # stage times measured in the workers reach the run row


def test_a_workout_recorded_by_the_erg_and_a_watch_counts_once_under_prefect_as_in_process(tmp_path: Path) -> None:
    from hamflow.ingest import ingest
    from hamflow.model import DEFAULT_CONFIG
    from samplegen import ANA
    from samplegen.pair import render_pair
    from samplegen.plan import spec_at_local

    pair = render_pair(spec_at_local(random.Random(3), ANA, "2026-10-16 07:00", "row", 1800))
    inbox = tmp_path / "inbox" / "ana"
    inbox.mkdir(parents=True)
    (inbox / "erg.fit").write_bytes(pair.machine)
    (inbox / "watch.fit").write_bytes(pair.watch)
    flow_db, local_db = tmp_path / "flow.duckdb", tmp_path / "local.duckdb"
    assert _run(tmp_path / "inbox", flow_db, batch_size=1).status == "completed"
    ingest([tmp_path / "inbox"], local_db, DEFAULT_CONFIG, IngestOptions(settle_s=0))
    assert _count(flow_db, "SELECT count(duplicate_of) FROM workouts") == 1
    assert _count(flow_db, "SELECT workouts FROM weekly_posterior_load") == 1
    tables = ("fit_files", "workouts", "samples", "weekly_posterior_load", "workout_evidence")
    assert_same(snapshot(flow_db, tables), snapshot(local_db, tables))


def test_archive_members_are_read_by_the_workers_of_the_process_pool_and_of_dask(tmp_path: Path, dask_address: str) -> None:
    """Workers get each member's archive!member name and read it themselves, wherever they run
    (the Dask workers in another working directory)."""
    from hamflow_flows.flows import dask_task_runner

    inbox = tmp_path / "inbox"
    expected = strava_export(inbox / "ana" / "strava", [activity(0), activity(1)])
    expected |= garmin_export(inbox / "ben" / "export.zip", [activity(2), activity(3)])
    pool_db, dask_db = tmp_path / "pool.duckdb", tmp_path / "dask.duckdb"
    report = _run(inbox, pool_db, batch_size=2, pool_min_bytes=0)
    assert report.status == "completed" and report.counts.files_new == 4 and not report.quarantined
    assert report.not_fit == {".csv": 1, ".gpx": 1, ".gpx.gz": 1, ".json": 1, ".tcx": 1, ".txt": 1}
    with duckdb.connect(str(pool_db), read_only=True) as con:
        stored = dict(con.execute("SELECT path, file_sha256 FROM fit_files").fetchall())
    assert stored == {path: sha256(src) for path, src in expected.items()}
    dask_report = _run(inbox, dask_db, task_runner=dask_task_runner(dask_address), batch_size=2)
    assert dask_report.status == "completed" and dask_report.counts.files_new == 4
    assert_same(snapshot(pool_db), snapshot(dask_db))


def test_a_small_night_is_decoded_without_starting_the_worker_pool(tmp_path: Path) -> None:
    """Starting a worker costs more than decoding a night's few files: below ``pool_min_bytes``
    the flow decodes them itself, and the same files above it go to the pool. Both runs write
    the same tables."""
    from hamflow_flows.pool import WorkerPool

    from .probes import mark_started

    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("easy_run"), sample("strength")]})
    started = {name: tmp_path / f"workers-{name}" for name in ("small", "pool")}
    reports = {}
    for name, pool_min_bytes in (("small", 10 * 2**20), ("pool", 0)):
        started[name].mkdir()
        runner = WorkerPool(max_workers=2, initializer=mark_started, initargs=(str(started[name]),))
        reports[name] = _run(inbox, tmp_path / f"{name}.duckdb", task_runner=runner, pool_min_bytes=pool_min_bytes)
        assert reports[name].status == "completed" and reports[name].counts.files_new == 2
    assert not any(started["small"].iterdir())
    assert any(started["pool"].iterdir())
    assert_same(snapshot(tmp_path / "small.duckdb"), snapshot(tmp_path / "pool.duckdb"))


def test_the_process_pool_surveys_an_athletes_new_files_so_each_workout_is_classified_once(tmp_path: Path) -> None:
    """Several new files of one athlete whose thresholds rise among them: the flow surveys them in
    its workers before classifying, so calibration finds nothing stale, and the tables are those
    of the local engine. Surveying a file is light: the files go in fewer, larger tasks than the
    prepare batches (two per batch in flight)."""
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from hamflow.ingest import ingest
    from hamflow.model import DEFAULT_CONFIG
    from tests.calibration_athletes import DAY, T0, flat_sprints, jog, strides, write

    inbox = tmp_path / "inbox"
    write(inbox / "amy", "1-steady", T0, jog(30, speed=3.9))
    write(inbox / "amy", "2-strides", T0 + 2 * DAY, strides(top=6.3))
    write(inbox / "amy", "3-flat", T0 + 4 * DAY, flat_sprints(speed=6.8))
    write(inbox / "amy", "4-easy", T0 + 6 * DAY, jog(20, speed=3.0))
    flow_db, local_db = tmp_path / "flow.duckdb", tmp_path / "local.duckdb"
    report = _run(inbox, flow_db, batch_size=1, in_flight=1, pool_min_bytes=0)
    assert report.status == "completed" and report.counts.workouts_added == 4
    assert report.counts.workouts_recalibrated == 0

    async def task_names() -> list[str]:
        async with get_client() as client:
            runs = await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[report.run_id])))
            return [r.name for r in runs]

    names = asyncio.run(task_names())
    assert sum(name.startswith("survey") for name in names) == 2  # four files, two tasks
    assert sum(name.startswith("decode-and-classify") for name in names) == 4  # one per batch
    local = ingest([inbox], local_db, DEFAULT_CONFIG, IngestOptions(settle_s=0))
    assert local.counts.workouts_recalibrated == 0
    tables = ("fit_files", "workouts", "samples", "workout_evidence", "athlete_thresholds", "weekly_posterior_load")
    assert_same(snapshot(flow_db, tables), snapshot(local_db, tables))


def _worker_in_a_pool(max_workers: int = 1) -> tuple[int, str | None, int, bool]:
    """:func:`~tests.pipelines.probes.worker_settings` in a worker of the flows' default pool, from a task of a real
    flow run, as the ingest's tasks call the library."""
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    from hamflow_flows.flows import default_task_runner
    from hamflow_flows.pool import in_worker

    from .probes import worker_settings

    @task(name="worker-settings", cache_policy=NO_CACHE)
    def settings() -> tuple[int, str | None, int, bool]:
        return in_worker(worker_settings)

    @flow(name="worker-settings", task_runner=default_task_runner(max_workers))
    def in_a_worker() -> tuple[int, str | None, int, bool]:
        return settings.submit().result()

    return in_a_worker()


def test_each_pool_worker_runs_below_this_process_s_priority_with_polars_on_one_thread_freeing_memory_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The pool's workers already fill the cores: a query's own threads would only contend with
    the other workers, this process's writes come first, and a batch's freed frames would stack
    up under the next one's. What the user set is theirs, and the variables are set only while
    the pool is open. The task runs stay in this process: a worker never loads Prefect."""
    from hamflow_flows.workers import POLARS_JEMALLOC_DEFAULTS, POOL_WORKER_JEMALLOC_CONF, POOL_WORKER_NICENESS, POOL_WORKER_POLARS_THREADS

    monkeypatch.delenv("POLARS_MAX_THREADS", raising=False)
    niceness = os.nice(0)
    lowered = min(niceness + POOL_WORKER_NICENESS, 19)
    # Polars puts its own allocator settings first and those it finds in the environment last,
    # where jemalloc reads them last and they win. The command has imported polars before it
    # starts the pool, which leaves polars' own settings in its environment: they are not the
    # user's, and the pool's go after them.
    for before in (None, POLARS_JEMALLOC_DEFAULTS):
        if before is None:
            monkeypatch.delenv("_RJEM_MALLOC_CONF", raising=False)
        else:
            monkeypatch.setenv("_RJEM_MALLOC_CONF", before)
        threads, allocator, worker_niceness, prefect_loaded = _worker_in_a_pool()
        assert (threads, worker_niceness, prefect_loaded) == (POOL_WORKER_POLARS_THREADS, lowered, False)
        assert allocator == f"{POLARS_JEMALLOC_DEFAULTS},{POOL_WORKER_JEMALLOC_CONF}"
        assert os.environ.get("_RJEM_MALLOC_CONF") == before
    assert os.nice(0) == niceness
    assert "POLARS_MAX_THREADS" not in os.environ
    monkeypatch.setenv("POLARS_MAX_THREADS", "3")
    monkeypatch.setenv("_RJEM_MALLOC_CONF", f"{POLARS_JEMALLOC_DEFAULTS},dirty_decay_ms:1000")  # as polars leaves the user's
    threads, allocator, worker_niceness, prefect_loaded = _worker_in_a_pool()
    assert (threads, worker_niceness, prefect_loaded) == (3, lowered, False)
    assert allocator == f"{POLARS_JEMALLOC_DEFAULTS},{POOL_WORKER_JEMALLOC_CONF},dirty_decay_ms:1000"
    assert os.environ["POLARS_MAX_THREADS"] == "3"
    assert os.environ["_RJEM_MALLOC_CONF"] == f"{POLARS_JEMALLOC_DEFAULTS},dirty_decay_ms:1000"


def test_importing_polars_sets_exactly_the_allocator_defaults_the_pool_tells_from_the_user_s() -> None:
    """The pool reads polars' own settings off the front of ``_RJEM_MALLOC_CONF``; if a polars
    release changed them, the workers would again start with polars' settings instead of the
    pool's."""
    from hamflow_flows.workers import POLARS_JEMALLOC_DEFAULTS

    env = {k: v for k, v in os.environ.items() if k not in ("_RJEM_MALLOC_CONF", "POLARS_THP")}
    said = subprocess.run([sys.executable, "-c", "import os, polars; print(os.environ['_RJEM_MALLOC_CONF'])"],
                          env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert said == POLARS_JEMALLOC_DEFAULTS
