"""The flow's task runners: Prefect's task runs in this process, their work in a pool of plain
worker processes (:class:`WorkerPool`, the default) or on a Dask cluster (:class:`DaskPool`).

Decoding and classifying are CPU-bound Python, so they need processes. Prefect's own process
pool runs the whole task run in the worker: each worker imported Prefect and its client, and
kept the task run's states, events and logs going to the API over HTTP. That was about 100 MB
and 2-3 CPU seconds of start-up per worker, and a share of every task's time, none of it
decoding. Here the task runs stay in threads of the flow's process, where Prefect already is,
and each task hands its library call (:func:`in_worker`) to a worker that imports only hamflow.
Retries, states and the UI are the same: the task run is the same; only its body moves. A Dask
cluster's workers likewise get the library call alone, through a distributed ``Client``.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Self, TypeVar

from prefect.context import FlowRunContext
from prefect.task_runners import ThreadPoolTaskRunner

from .workers import POOL_WORKER_ENV, pool_worker_env, start_worker

R = TypeVar("R")

#: Task runs that may wait on the workers at once, per worker: enough for every batch the run
#: keeps in flight (two per worker) and the survey's tasks (two per batch in flight) to be queued
#: at the workers rather than behind a thread.
TASKS_PER_WORKER = 4

#: Set while a task runs in this process on purpose (a night too small for the pool).
_here: ContextVar[bool] = ContextVar("hamflow_work_here", default=False)


class OffloadingRunner(ThreadPoolTaskRunner):  # type: ignore[type-arg]  # Prefect's runner is generic in its futures
    """Task runs in threads of this process; what they hand to :func:`in_worker` goes to
    :meth:`call`, which runs it where the work is done and waits for its result."""

    def __enter__(self) -> Self:
        super().__enter__()
        try:
            self._open()
        except BaseException:
            self._close()
            super().__exit__(None, None, None)
            raise
        return self

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        try:
            super().__exit__(exc_type, exc_value, traceback)  # the task runs end first: they wait on the work
        finally:
            self._close()

    def _open(self) -> None:
        """Start (or connect to) what does the work."""

    def _close(self) -> None:
        """Stop (or disconnect from) what does the work; also after a partial :meth:`_open`."""

    def call(self, fn: Callable[..., R], *args: object) -> R:
        raise NotImplementedError


class WorkerPool(OffloadingRunner):
    """Task runs in threads of this process; what they hand to :func:`in_worker` in ``workers``
    spawned processes, started on the first task that needs one, below this process's priority
    (:func:`lower_priority`) and with :func:`~hamflow_flows.workers.pool_worker_env`.

    Polars reads ``POLARS_MAX_THREADS`` and its allocator ``_RJEM_MALLOC_CONF`` once, when a
    process first loads it, which a spawned worker does before any initializer runs; so the
    variables are in this process's environment while the pool is open (when it spawns its
    workers), and as they were afterwards.
    """

    def __init__(self, max_workers: int | None = None, initializer: Callable[..., object] | None = None,
                 initargs: tuple[Any, ...] = ()) -> None:
        """``max_workers`` processes (default: one per core); each runs ``initializer(*initargs)``
        when it starts, after lowering its priority, as in Prefect's process pool."""
        self.workers = max_workers or os.cpu_count() or 2
        super().__init__(max_workers=TASKS_PER_WORKER * self.workers)
        self.initializer, self.initargs = initializer, initargs
        self._processes: ProcessPoolExecutor | None = None
        self._owner = 0
        self._env_before: dict[str, str | None] = {}

    def duplicate(self) -> WorkerPool:
        return type(self)(max_workers=self.workers, initializer=self.initializer, initargs=self.initargs)

    def _open(self) -> None:
        self._env_before = {name: os.environ.get(name) for name in POOL_WORKER_ENV}
        os.environ.update(pool_worker_env(os.environ))
        # Spawned, not forked: this process has DuckDB's, polars' and Prefect's threads.
        self._processes = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                              initializer=start_worker, initargs=(self.initializer, self.initargs))
        self._owner = os.getpid()

    def _close(self) -> None:
        try:
            if self._processes is not None:
                self._processes.shutdown(wait=True, cancel_futures=True)
                self._processes = None
        finally:
            self._restore_env()

    def call(self, fn: Callable[..., R], *args: object) -> R:
        """``fn(*args)`` in one of the workers; waits for its result."""
        if self._processes is None or self._owner != os.getpid():
            return fn(*args)  # not open here (a copy of the runner elsewhere)
        return self._processes.submit(fn, *args).result()

    def _restore_env(self) -> None:
        for name, before in self._env_before.items():
            if before is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = before


class DaskPool(OffloadingRunner):
    """Task runs in threads of this process; their work on a Dask cluster: the one whose
    scheduler is at ``address`` (``tcp://HOST:PORT``), or else a local one of ``workers``
    processes (default: one per core, one thread each, no dashboard) that lives as long as the
    flow run. Its workers need hamflow installed, not Prefect. Needs the ``dask`` extra."""

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        self.address = address
        self.workers = workers or os.cpu_count() or 2
        super().__init__()  # as many threads as tasks wait: the run bounds what it keeps in flight
        self._client: Any = None
        self._cluster: Any = None

    def duplicate(self) -> DaskPool:
        return type(self)(address=self.address, workers=self.workers)

    def _open(self) -> None:
        from distributed import Client, LocalCluster

        if self.address:
            self._client = Client(self.address)  # type: ignore[no-untyped-call]
        else:
            self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,  # type: ignore[no-untyped-call]
                                         dashboard_address=None)
            self._client = Client(self._cluster)  # type: ignore[no-untyped-call]

    def _close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def call(self, fn: Callable[..., R], *args: object) -> R:
        """``fn(*args)`` on one of the cluster's workers; waits for its result. Each call is
        its own piece of work (``pure=False``): the same files twice are decoded twice."""
        if self._client is None:
            return fn(*args)
        result: R = self._client.submit(fn, *args, pure=False).result()
        return result


def in_worker(fn: Callable[..., R], *args: object) -> R:
    """``fn(*args)`` where the flow's runner does its work (:class:`WorkerPool`'s processes,
    :class:`DaskPool`'s cluster), from a task run on it; here under any other task runner (whose
    task runs are already where the work goes: a process of Prefect's pool) and inside
    :func:`work_here`."""
    context = FlowRunContext.get()
    runner = context.task_runner if context is not None else None
    if isinstance(runner, OffloadingRunner) and not _here.get():
        return runner.call(fn, *args)
    return fn(*args)


@contextmanager
def work_here() -> Iterator[None]:
    """Task runs called inside the block do their work in this process, not in the pool's workers."""
    token = _here.set(True)
    try:
        yield
    finally:
        _here.reset(token)
