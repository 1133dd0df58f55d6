"""A real multi-process Dask cluster on this machine: ``dask scheduler`` and ``dask worker`` processes.

The Dask target is about the path a user with a cluster takes (``hamflow ingest --task-runner
dask --dask-address tcp://...``), so the scheduler and each worker are separate processes started
from the ``dask`` command line, as they would be on other machines, not an in-process
``LocalCluster``. The scheduler writes its address to a scheduler file; workers find it there.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

DASK = Path(sys.executable).parent / "dask"
START_TIMEOUT_S = 120.0


def _started(cmd: list[str], log: Path, stack: ExitStack) -> subprocess.Popen[bytes]:
    out = stack.enter_context(log.open("wb"))
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)

    def stop() -> None:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
            return
        proc.kill()  # a worker that will not shut down must not outlive the benchmark
        proc.wait()

    stack.callback(stop)
    return proc


def _workers_joined(scheduler_file: Path, workers: int) -> bool:
    from distributed import Client

    with Client(scheduler_file=str(scheduler_file), timeout=30) as client:
        return len(client.scheduler_info()["workers"]) >= workers


@contextmanager
def dask_cluster(folder: Path, workers: int = 2) -> Iterator[str]:
    """Start a scheduler and ``workers`` single-threaded worker processes; yield the scheduler address.

    The processes are stopped on exit; their logs stay in ``folder`` to explain a failure.
    """
    folder.mkdir(parents=True, exist_ok=True)
    scheduler_file = folder / "scheduler.json"
    scheduler_file.unlink(missing_ok=True)
    with ExitStack() as stack:
        scheduler = _started([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                              "--scheduler-file", str(scheduler_file)], folder / "scheduler.log", stack)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not scheduler_file.exists():
            if scheduler.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"dask scheduler did not start; see {folder / 'scheduler.log'}")
            time.sleep(0.2)
        for i in range(workers):
            # One process per worker, one thread each: decoding and classifying hold the GIL.
            _started([str(DASK), "worker", "--scheduler-file", str(scheduler_file), "--nworkers", "1",
                      "--nthreads", "1", "--no-dashboard", "--local-directory", str(folder / f"worker-{i}")],
                     folder / f"worker-{i}.log", stack)
        while not _workers_joined(scheduler_file, workers):
            if time.monotonic() > deadline:
                raise SystemExit(f"dask workers did not join the scheduler; see {folder}/worker-*.log")
            time.sleep(0.5)
        yield str(json.loads(scheduler_file.read_text())["address"])
