"""Steps for tests of :mod:`hamflow.ingest.processes`, importable by name in a spawned worker."""

from __future__ import annotations

import os
import time


def squares(batch: list[int]) -> list[int]:
    """Each number squared; -1 makes the worker die as a crash in native code would, without a
    Python exception; 0 raises one."""
    if -1 in batch:
        os._exit(3)
    if 0 in batch:
        raise ValueError("no zeros")
    return [x * x for x in batch]


def worker_pid(batch: list[int]) -> int:
    return os.getpid()


def report_and_wait(batch: list[int]) -> None:
    """Print this worker's pid, then wait (for a run killed outright to leave behind)."""
    print(os.getpid(), flush=True)
    time.sleep(600)


#: A run in a process of its own, its two workers each waiting in :func:`report_and_wait`.
KILLED_RUN = """
from hamflow.ingest.processes import each_in_processes
from tests.ingest.process_steps import report_and_wait
list(each_in_processes(report_and_wait, [[1], [2]], 2, fallback=lambda rest: iter([])))
"""
