"""Batches of a run's work in worker processes of this machine, for the local engine's survey.

The survey decodes and screens every new file of a backfill before any is classified, and most
of that is Python holding the interpreter lock: the fast decoder's scan of each message,
fitparse reading the messages other than records, building each session's queries. Two threads
of one process survey the athlete-year at about 1.45 cores; two spawned processes do not share
the lock. They cost about 0.35 s to start (each imports hamflow), so they are for surveys of
many files (:data:`SURVEY_PROCESSES_MIN_FILES`): figures in docs/benchmarks.md, *The local
engine surveys in processes*.

Only the survey: its results are a few candidate rows per file, and what it decodes it leaves
in the run's handoff directory, so nothing large crosses between processes. Prepare stays in
threads, where its prepared frames are already in the process that writes them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Final, TypeVar

from ..lifetime import end_with

_T = TypeVar("_T")
_B = TypeVar("_B")

#: The fewest files a local run surveys in worker processes rather than in threads. Starting two
#: (each imports hamflow) takes about 0.35 s, which the survey wins back only over many files: on
#: two cores, athlete-year files surveyed in processes against threads (three alternating pairs)
#: took 0.16 s more for 96 files, the same for 160 and 0.8 s less for 365.
SURVEY_PROCESSES_MIN_FILES: Final = 192

#: Errors that say this machine cannot start worker processes (no semaphores in a container,
#: a sandbox that forbids fork): the work then runs in the caller's threads.
_CANNOT_START: Final = (OSError, ImportError, NotImplementedError)


def _worker_started(parent_pid: int) -> None:
    """A worker's first step. Ctrl-C is the run's to handle (it stops the pool as it ends); a
    worker that took it too would die mid-batch with a traceback of its own. A run killed
    outright cannot stop its pool, and a worker waits on its queue for ever: it ends with the run."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    end_with(parent_pid)


def each_in_processes(step: Callable[..., _T], work: Sequence[_B], workers: int, *args: object,
                      fallback: Callable[[list[_B]], Iterator[_T]]) -> Iterator[_T]:
    """``step(batch, *args)`` for each batch of ``work``, in ``workers`` spawned processes, each
    result in the order of ``work``.

    ``step`` and its arguments must be picklable, and ``step`` importable by name. Where no
    worker can be started, or a worker dies (the pool is then broken for every batch it held),
    the batches without a result yet go to ``fallback`` (the same step in this process), so the
    results are the same either way. An exception ``step`` raises reaches the caller, as it
    would from a thread. Stopping early cancels what has not started and waits for what has.
    """
    left, done = list(work), 0
    try:
        pool = ProcessPoolExecutor(max(1, workers), mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_worker_started, initargs=(os.getpid(),))
    except _CANNOT_START:
        yield from fallback(left)
        return
    try:
        try:
            futures: list[Future[_T]] = [pool.submit(step, batch, *args) for batch in left]
        except (*_CANNOT_START, BrokenProcessPool):
            futures = []
        for future in futures:
            try:
                result = future.result()
            except BrokenProcessPool:
                break
            done += 1
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if done < len(left):
        yield from fallback(left[done:])
