"""The nightly ingest as a Prefect flow.

Thin by design: the steps are hamflow's own (:mod:`hamflow.ingest`); Prefect adds parallel
decoding in worker processes (or on a Dask cluster), retries where a retry can help, logging,
and a markdown artifact per run. The results are the same whatever runs the tasks.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner

from hamflow.model import HamflowConfig as Config, load_config
from hamflow.model.config_load import find_config
from hamflow.ingest import IngestError, IngestOptions, RunPlan, RunReport, batches, finish_run, plan_run, prepare_files, write_prepared
from hamflow.inbox import Candidate
from hamflow.prepare import DEFAULT_MAX_FILE_BYTES
from hamflow.prepared import FileOutcome, PreparedFile
from hamflow.store.connection import StoreError
from hamflow.store.writer import WriteResult

from hamflow.runsummary import run_markdown

#: Called with (files done, files to do) after each written batch; the CLI sets it for its
#: progress bar. Flows run in the CLI's own process, so a module-level hook reaches them.
progress_hook: Callable[[int, int], None] | None = None


# Frames and connections must not be hashed for Prefect's cache (it costs ~0.5 s per 10M rows
# and buys nothing): every task here has caching off.

@task(name="plan", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[2, 5, 15],
      retry_condition_fn=lambda task, run, state: _is_lock(state))
def plan_task(paths: list[str], db: str, config: Config, options: IngestOptions, run_id: str) -> RunPlan:
    return plan_run(paths, db, config, options, run_id=run_id)


@task(name="decode-and-classify", cache_policy=NO_CACHE)
def prepare_task(candidates: list[Candidate], config: Config, options: IngestOptions) -> list[PreparedFile]:
    """CPU-bound: runs in a worker process. A corrupt file is quarantined, never retried."""
    return prepare_files(candidates, config, options)


@task(name="write-batch", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[2, 5, 15],
      retry_condition_fn=lambda task, run, state: _is_lock(state))
def write_task(db: str, prepared: list[PreparedFile], run_id: str, config: Config) -> WriteResult:
    """One short transaction; retried with backoff if a reader holds the database lock."""
    return write_prepared(db, prepared, run_id, config)


def _is_lock(state: Any) -> bool:
    try:
        state.result()
    except StoreError as exc:
        return "locked" in str(exc)
    except Exception:  # noqa: BLE001 - any other failure is not worth a retry
        return False
    return False


def default_task_runner(workers: int | None = None) -> TaskRunner:
    """Decoding is CPU-bound Python: processes, one per core, not threads."""
    return ProcessPoolTaskRunner(max_workers=workers or os.cpu_count() or 2)


def dask_task_runner(address: str | None = None, workers: int | None = None) -> TaskRunner:
    """A Dask cluster at ``address`` (tcp://HOST:PORT), or a local one (needs prefect-dask)."""
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise IngestError("the dask task runner needs the optional extra: pip install 'hamflow[dask]'") from exc
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers or os.cpu_count() or 2, "threads_per_worker": 1, "processes": True})


@flow(name="hamflow-ingest", task_runner=default_task_runner(), validate_parameters=False)
def ingest_flow(
    paths: list[str],
    db: str,
    config_path: str | None = None,
    athlete: str | None = None,
    settle_s: float = 1.0,
    batch_size: int = 8,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    in_flight: int | None = None,
) -> RunReport:
    """Discover FIT files, skip known ones, decode and classify the new ones in parallel,
    write them in short transactions, refresh the weeks they touch, and report.

    At most ``in_flight`` batches (default: twice the number of cores) are submitted ahead of
    the write: a finished batch's frames wait in this process until written, so an unbounded
    queue would grow with the backlog, while two per worker keep every worker busy.
    """
    logger = get_run_logger()
    config = load_config(find_config(config_path))
    options = IngestOptions(athlete=athlete, settle_s=settle_s, batch_size=batch_size, max_file_bytes=max_file_bytes)
    run_id = str(flow_run.get_id() or "") or None
    plan = plan_task(paths, db, config, options, run_id or "")
    logger.info(
        "run %s: %d files seen, %d new, %d known, %d deferred (still being written)",
        plan.run_id, plan.seen, len(plan.todo), len(plan.known) + len(plan.duplicates), len(plan.deferred),
    )
    results: list[WriteResult] = []
    outcomes: list[FileOutcome] = []
    done = 0
    waited_s = 0.0
    window = in_flight or 2 * (os.cpu_count() or 2)
    try:
        with _api_for_workers():
            for batch, future in _windowed(batches(plan.todo, batch_size), config, options, window):
                started = time.perf_counter()
                prepared = future.result()
                waited_s += time.perf_counter() - started
                for p in prepared:
                    if p.status == "quarantined":
                        logger.warning("quarantined %s: %s (%s)", p.path, p.reason, p.detail)
                results.append(write_task(db, prepared, plan.run_id, config))
                outcomes += [p.outcome for p in prepared]
                # Written: free the frames now. Prefect holds each task's result and parameters
                # in reference cycles that only Python's cyclic collector frees, and that runs
                # rarely: without this a backfill held the frames of up to ~180 written files.
                prepared.clear()
                done += len(batch)
                if progress_hook:
                    progress_hook(done, len(plan.todo))
    except StoreError as exc:
        try:
            finish_run(plan, results, outcomes, status="failed", message=str(exc), prepare_wait_s=waited_s)
        except StoreError:
            pass
        raise IngestError(str(exc)) from exc
    report = finish_run(plan, results, outcomes, prepare_wait_s=waited_s)
    create_markdown_artifact(markdown=run_markdown(report), key="hamflow-ingest", description="hamflow ingest run")
    logger.info(
        "run %s completed: %d new files, %d workouts, %d quarantined, %d weeks updated",
        report.run_id, report.counts.files_new, report.counts.workouts_added,
        report.counts.files_quarantined, report.counts.weeks_updated,
    )
    return report


@contextmanager
def _api_for_workers() -> Iterator[None]:
    """Hand this flow's Prefect API to the worker processes started inside the block.

    With no server configured, Prefect starts a temporary one for the flow but does not tell
    process-pool workers its address, so each worker started a temporary server of its own:
    about 4 CPU-seconds and 200 MB per worker, on a machine whose cores should be decoding.
    """
    context = FlowRunContext.get()
    client = context.client if context is not None else None
    if PREFECT_API_URL.value() or client is None:
        yield
        return
    with temporary_settings(updates={PREFECT_API_URL: str(client.api_url)}):
        yield


def _windowed(work: list[list[Candidate]], config: Config, options: IngestOptions,
              in_flight: int) -> Iterator[tuple[list[Candidate], PrefectFuture[list[PreparedFile]]]]:
    """Submit prepare tasks at most ``in_flight`` ahead; yield them in submission order.

    The next batch is submitted before the oldest is handed out, so workers decode while the
    caller writes; yielding in submission order keeps the writes deterministic.
    """
    pending: deque[tuple[list[Candidate], PrefectFuture[list[PreparedFile]]]] = deque()
    queued = iter(work)
    while True:
        while len(pending) < max(1, in_flight):
            batch = next(queued, None)
            if batch is None:
                break
            pending.append((batch, prepare_task.submit(batch, config, options)))
        if not pending:
            return
        yield pending.popleft()


def run_ingest(paths: list[str], db: str, *, config_path: str | None = None, athlete: str | None = None,
               settle_s: float = 1.0, batch_size: int = 8, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
               task_runner: TaskRunner | None = None, in_flight: int | None = None) -> RunReport:
    """Run :func:`ingest_flow` with a chosen task runner (the process pool by default).

    ``in_flight`` defaults to two batches per worker of a process pool (``--workers`` may
    differ from the number of cores), else to the flow's own default.
    """
    flow_ = ingest_flow.with_options(task_runner=task_runner) if task_runner is not None else ingest_flow
    workers = getattr(task_runner, "_max_workers", None)  # where ProcessPoolTaskRunner keeps it
    if in_flight is None and isinstance(workers, int):
        in_flight = 2 * workers
    return flow_(paths=paths, db=db, config_path=config_path, athlete=athlete, settle_s=settle_s,
                 batch_size=batch_size, max_file_bytes=max_file_bytes, in_flight=in_flight)
