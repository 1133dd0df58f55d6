"""The nightly ingest as a Prefect flow.

Thin by design: the run loop and its steps are hamflow's own (:func:`hamflow.ingest.run`);
Prefect adds parallel decoding in worker processes (or on a Dask cluster), retries where a
retry can help, logging, and a markdown artifact per run. The results are the same whatever
runs the tasks.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner

from hamflow.ingest import Candidate, IngestError, IngestOptions, RunPlan, RunReport, plan_run, prepare_files, write_prepared
from hamflow.ingest.run import regrouped, run, submitted_ahead, survey_batch
from hamflow.model import HamflowConfig as Config
from hamflow.model import load_config
from hamflow.model.config_load import find_config
from hamflow.model.thresholds import PriorThresholds
from hamflow.report.run_summary import run_line, run_markdown
from hamflow.store.connection import StoreError
from hamflow.store.prepared import PreparedFile
from hamflow.store.writer import WriteResult

from .memory import release_freed_memory
from .pool import DaskPool, WorkerPool, in_worker, work_here

T = TypeVar("T")

#: Set (by ``hamflow serve``) for flow runs to print one line each on stdout, whatever the
#: console's log level: the log of a long-running service.
RUN_LINES_ENV = "HAMFLOW_RUN_LINES"

#: Survey tasks per batch the engine keeps in flight (:meth:`PrefectEngine.survey`).
SURVEY_TASKS_PER_IN_FLIGHT = 2

#: Called with (files done, files to do) after each written batch; the CLI sets it for its
#: progress bar. Flows run in the CLI's own process, so a module-level hook reaches them.
progress_hook: Callable[[int, int], None] | None = None


# Frames and connections must not be hashed for Prefect's cache (it costs ~0.5 s per 10M rows
# and buys nothing): every task here has caching off.

@task(name="plan", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[2, 5, 15],
      retry_condition_fn=lambda task, run, state: _is_lock(state))
def plan_task(paths: list[str], db: str, config: Config, options: IngestOptions, run_id: str) -> RunPlan:
    return plan_run(paths, db, config, options, run_id=run_id)


@task(name="survey", cache_policy=NO_CACHE)
def survey_task(candidates: list[Candidate], config: Config, options: IngestOptions,
                handoff: str | None = None) -> pl.DataFrame:
    """The new workouts' threshold candidates (decode and screen, no classifying): CPU-bound,
    runs in a worker process. A file that cannot be read gives none; prepare says why."""
    return in_worker(survey_batch, candidates, config, options, handoff)


@task(name="decode-and-classify", cache_policy=NO_CACHE)
def prepare_task(candidates: list[Candidate], config: Config, options: IngestOptions,
                 priors: PriorThresholds | None = None, handoff: str | None = None) -> list[PreparedFile]:
    """CPU-bound: runs in a worker process. A corrupt file is quarantined, never retried."""
    return in_worker(prepare_files, candidates, config, options, priors, handoff)


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
    except Exception:
        return False
    return False


def default_task_runner(workers: int | None = None) -> TaskRunner[Any]:
    """Decoding is CPU-bound Python: processes, one per core, not threads (:class:`WorkerPool`)."""
    return WorkerPool(max_workers=workers or os.cpu_count() or 2)


def dask_task_runner(address: str | None = None, workers: int | None = None) -> TaskRunner[Any]:
    """A Dask cluster at ``address`` (tcp://HOST:PORT), or a local one (:class:`DaskPool`; needs
    the ``dask`` extra)."""
    try:
        import distributed  # noqa: F401 - only whether it is installed
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise IngestError("the dask task runner needs the optional extra: pip install 'hamflow[dask]'") from exc
    return DaskPool(address=address, workers=workers)


class PrefectEngine:
    """The run loop's steps as Prefect tasks: planning and writing retried on a lock, batches
    prepared by the flow's task runner at most ``in_flight`` ahead of the write.

    A process pool is not started for a small night (fewer new bytes than
    ``IngestOptions.pool_min_bytes``): its batches are prepared in the flow's own process, where
    they take less time than one worker takes to start. A Dask cluster always gets the work: it
    may be the only place that can read the files.
    """

    def __init__(self, in_flight: int, local_pool: bool = False) -> None:
        self.in_flight = max(1, in_flight)
        self.local_pool = local_pool
        self.logger = get_run_logger()

    def plan(self, paths: Sequence[str], db_path: str, config: Config, options: IngestOptions,
             run_id: str | None) -> RunPlan:
        return plan_task(list(paths), db_path, config, options, run_id or "")

    def survey(self, work: list[list[Candidate]], config: Config, options: IngestOptions,
               handoff: str | None = None) -> Iterator[pl.DataFrame]:
        if self._in_process(work, options):
            return _here(survey_task, work, config, options, handoff)
        # Surveying a file takes a few tens of milliseconds, and a worker spends about a tenth
        # of a second on each task run's own bookkeeping (its run and states on the API, its
        # events and logs; over HTTP from a Dask worker): a batch of eight paid a large share of
        # its time for that.
        # So the files go in a few larger tasks, two per batch in flight (four per worker by
        # default), enough for a fast worker to take over a slow one's share at the end. A
        # survey's result is a few rows per file: every task can be submitted at once.
        tasks = regrouped(work, SURVEY_TASKS_PER_IN_FLIGHT * self.in_flight)
        return (future.result() for future in [survey_task.submit(batch, config, options, handoff) for batch in tasks])

    def prepare(self, work: list[list[Candidate]], config: Config, options: IngestOptions,
                priors: PriorThresholds | None = None, handoff: str | None = None) -> Iterator[list[PreparedFile]]:
        if self._in_process(work, options):
            return _here(prepare_task, work, config, options, priors, handoff)
        return (future.result() for future in _windowed(work, config, options, priors, handoff, self.in_flight))

    def _in_process(self, work: list[list[Candidate]], options: IngestOptions) -> bool:
        """Whether ``work`` is too little to start a process pool for."""
        return self.local_pool and sum(c.size_bytes for batch in work for c in batch) < options.pool_min_bytes

    def write(self, db_path: str, prepared: list[PreparedFile], run_id: str, config: Config) -> WriteResult:
        written = write_task(db_path, prepared, run_id, config)
        release_freed_memory()  # the transaction's buffers, before the next batches arrive
        return written

    def planned(self, plan: RunPlan) -> None:
        self.logger.info(
            "run %s: %d files seen, %d new, %d known, %d deferred (still being written)",
            plan.run_id, plan.seen, len(plan.todo), plan.known + len(plan.duplicates), len(plan.deferred),
        )

    def quarantined(self, prepared: PreparedFile) -> None:
        self.logger.warning("quarantined %s: %s (%s)", prepared.path, prepared.reason, prepared.detail)


_DEFAULTS = IngestOptions()


@flow(name="hamflow-ingest", task_runner=default_task_runner(), validate_parameters=False)
def ingest_flow(
    paths: list[str],
    db: str,
    config_path: str | None = None,
    athlete: str | None = _DEFAULTS.athlete,
    settle_s: float = _DEFAULTS.settle_s,
    batch_size: int = _DEFAULTS.batch_size,
    write_samples: int = _DEFAULTS.write_samples,
    max_file_bytes: int = _DEFAULTS.max_file_bytes,
    in_flight: int | None = _DEFAULTS.in_flight,
    keep_positions: bool = _DEFAULTS.keep_positions,
    pool_min_bytes: int = _DEFAULTS.pool_min_bytes,
) -> RunReport:
    """Discover FIT files, skip known ones, decode and classify the new ones in parallel,
    write them in short transactions, refresh the weeks they touch, and report.

    The parameters are those of :class:`hamflow.ingest.IngestOptions` (a deployment sets them
    in ``prefect.yaml``). At most ``in_flight`` batches (default: twice the number of cores)
    are submitted ahead of the write: a finished batch's frames wait in this process until
    written, so an unbounded queue would grow with the backlog, while two per worker keep every
    worker busy.
    """
    config = load_config(find_config(config_path))
    options = IngestOptions(athlete=athlete, settle_s=settle_s, batch_size=batch_size, write_samples=write_samples,
                            max_file_bytes=max_file_bytes, in_flight=in_flight, keep_positions=keep_positions,
                            pool_min_bytes=pool_min_bytes)
    context = FlowRunContext.get()
    local_pool = context is not None and isinstance(context.task_runner, (WorkerPool, ProcessPoolTaskRunner))
    engine = PrefectEngine(options.in_flight or 2 * (os.cpu_count() or 2), local_pool)
    try:
        with _api_for_workers():
            report = run(paths, db, config, options, engine=engine, run_id=str(flow_run.get_id() or "") or None,
                         progress=progress_hook)
    except IngestError as exc:
        if os.environ.get(RUN_LINES_ENV):
            print(f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC run failed: {exc}", flush=True)
        raise
    if os.environ.get(RUN_LINES_ENV):
        print(run_line(report), flush=True)
    create_markdown_artifact(markdown=run_markdown(report, config=config), key="hamflow-ingest", description="hamflow ingest run")
    engine.logger.info(
        "run %s completed: %d new files, %d workouts, %d quarantined, %d weeks updated",
        report.run_id, report.counts.files_new, report.counts.workouts_added,
        report.counts.files_quarantined, report.counts.weeks_updated,
    )
    return report


@contextmanager
def _api_for_workers() -> Iterator[None]:
    """Hand this flow's Prefect API to the worker processes started inside the block.

    Only for a runner whose workers run whole task runs (Prefect's own process pool, passed by a
    caller); hamflow's runners keep the task runs in this process. With no server configured,
    Prefect starts a temporary one for the flow but does not tell process-pool workers its
    address, so each worker started a temporary server of its own: about 4 CPU-seconds and
    200 MB per worker, on a machine whose cores should be decoding.
    """
    context = FlowRunContext.get()
    client = context.client if context is not None else None
    if PREFECT_API_URL.value() or client is None:
        yield
        return
    with temporary_settings(updates={PREFECT_API_URL: str(client.api_url)}):
        yield


def _here(task_: Callable[..., T], work: list[list[Candidate]], *args: Any) -> Iterator[T]:
    """``task_`` run on each batch of ``work`` in turn, in this process (:func:`work_here`), as the
    caller takes them."""
    for batch in work:
        with work_here():
            yield task_(batch, *args)


def _windowed(work: list[list[Candidate]], config: Config, options: IngestOptions, priors: PriorThresholds | None,
              handoff: str | None, in_flight: int) -> Iterator[PrefectFuture[list[PreparedFile]]]:
    """Prepare tasks submitted at most ``in_flight`` ahead, in submission order (:func:`submitted_ahead`)."""

    def submit(batch: list[Candidate]) -> PrefectFuture[list[PreparedFile]]:
        return prepare_task.submit(batch, config, options, priors, handoff)

    return submitted_ahead(submit, work, in_flight)


def run_ingest(paths: list[str], db: str, options: IngestOptions = _DEFAULTS, *,
               config_path: str | None = None, task_runner: TaskRunner[Any] | None = None) -> RunReport:
    """Run :func:`ingest_flow` with a chosen task runner (the process pool by default).

    ``options.in_flight`` defaults to two batches per worker of a process pool (``--workers``
    may differ from the number of cores), else to the flow's own default.
    """
    flow_ = ingest_flow.with_options(task_runner=task_runner) if task_runner is not None else ingest_flow
    workers = _local_workers(task_runner)
    if options.in_flight is None and workers is not None:
        options = replace(options, in_flight=2 * workers)
    report: RunReport = flow_(paths=paths, db=db, config_path=config_path, **asdict(options))
    return report


def _local_workers(runner: TaskRunner[Any] | None) -> int | None:
    """How many processes do ``runner``'s work where this process started them (its pool, a
    local cluster); ``None`` for a cluster elsewhere or a runner that does not say."""
    if isinstance(runner, WorkerPool):
        return runner.workers
    if isinstance(runner, DaskPool):
        return None if runner.address else runner.workers
    if isinstance(runner, ProcessPoolTaskRunner):
        return int(runner._max_workers)  # where Prefect's own process pool keeps it
    return None
