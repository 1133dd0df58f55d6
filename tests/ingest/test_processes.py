"""Batches in worker processes: results in order, a dead worker's batches done by the fallback, an
error raised where the caller waits, and no worker outliving its run."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hamflow.ingest.processes import each_in_processes


def test_batches_after_a_worker_dies_are_done_by_the_fallback_in_order() -> None:
    from .process_steps import squares

    def here(rest: list[list[int]]) -> Iterator[list[int]]:
        return iter([[x * x if x != -1 else -1 for x in batch] for batch in rest])

    work = [[1, 2], [3], [-1], [4], [5]]
    assert list(each_in_processes(squares, work, 2, fallback=here)) == [[1, 4], [9], [-1], [16], [25]]
    assert multiprocessing.active_children() == []


def test_an_error_a_step_raises_in_a_worker_reaches_the_caller() -> None:
    from .process_steps import squares

    with pytest.raises(ValueError, match="no zeros"):
        list(each_in_processes(squares, [[1], [0], [2]], 2, fallback=lambda rest: iter([])))
    assert multiprocessing.active_children() == []


def test_the_work_runs_in_other_processes() -> None:
    from .process_steps import worker_pid

    pids = list(each_in_processes(worker_pid, [[1], [2], [3]], 2, fallback=lambda rest: iter([])))
    assert len(pids) == 3 and os.getpid() not in pids


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal is Linux's")
def test_the_workers_of_a_run_killed_outright_end_with_it(tmp_path: Path) -> None:
    from .process_steps import KILLED_RUN

    # Its stderr to a file: its resource tracker outlives it and reports the semaphores it left.
    with (tmp_path / "stderr").open("w") as stderr:
        run_ = subprocess.Popen([sys.executable, "-c", KILLED_RUN], stdout=subprocess.PIPE, stderr=stderr, text=True,
                                cwd=Path(__file__).parents[2])
    assert run_.stdout is not None
    lines = [run_.stdout.readline() for _ in range(2)]
    assert all(lines), (tmp_path / "stderr").read_text()
    workers = [int(line) for line in lines]
    run_.kill()
    run_.wait()
    deadline = time.monotonic() + 60  # a hang guard: the kernel signals them at once
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if _alive(pid)]


def _alive(pid: int) -> bool:
    """Running (a zombie, dead but not yet reaped by its new parent, is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False
