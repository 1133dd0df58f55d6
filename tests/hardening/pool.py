"""Run a check over many inputs in worker processes, each input under a time and memory limit.

A hang or a runaway allocation in the code under test must fail the test, not the machine:
every input gets a wall-clock deadline (the worker is killed when it passes it), every worker
runs under an address-space limit, and the peak resident memory after each input is reported.
A worker that dies (killed, aborted, out of memory) is replaced and the input is reported.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

#: Head-room above the worker's own footprint (after imports) for its address space.
ADDRESS_SPACE_HEADROOM = 1536 * 1024 * 1024


@dataclass(frozen=True)
class Outcome:
    name: str
    verdict: str  # "ok" / "error" from the check, or "fail", "escaped", "timeout", "died"
    detail: str
    max_rss_kb: int = 0  # the worker's peak resident memory after this input
    seconds: float = 0.0
    rss_growth_kb: int = 0  # how far this input raised the worker's peak (0: stayed below it)


Check = Callable[[bytes], tuple[str, str]]


def _serve(conn: Connection, check: Check, warmup: bytes | None) -> None:
    if warmup is not None:
        check(warmup)  # imports and first-call set-up happen before any deadline runs
    with open("/proc/self/status") as handle:
        peak_kb = next((int(line.split()[1]) for line in handle if line.startswith("VmPeak:")), 0)
    limit = peak_kb * 1024 + ADDRESS_SPACE_HEADROOM
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    conn.send("ready")
    while True:
        job = conn.recv()
        if job is None:
            return
        name, data = job
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        try:
            verdict, detail = check(data)
        except BaseException as exc:  # noqa: BLE001 - reported as a failure of the input
            verdict, detail = "escaped", f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        conn.send(Outcome(name, verdict, " ".join(detail.split())[:500], peak, seconds, peak - before))


class _Worker:
    def __init__(self, context: multiprocessing.context.SpawnContext, check: Check, warmup: bytes | None) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, check, warmup), daemon=True)
        self.process.start()
        child.close()
        if not self.conn.poll(120) or self.conn.recv() != "ready":
            self.kill()
            raise RuntimeError("a check worker did not start within 120 s")
        self.job: tuple[str, bytes] | None = None
        self.deadline = 0.0

    def submit(self, job: tuple[str, bytes], timeout_s: float) -> None:
        self.job = job
        self.conn.send(job)
        self.deadline = time.monotonic() + timeout_s

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(10)

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(10)
        self.kill()


def run_checks(check: Check, jobs: Sequence[tuple[str, bytes]], *, workers: int | None = None,
               timeout_s: float = 2.0, warmup: bytes | None = None) -> list[Outcome]:
    """``check(data)`` for every ``(name, data)`` job, in worker processes.

    An input that passes its deadline is run once more in a fresh worker (a machine stall is
    not a hang); if it passes the deadline again it is reported as ``timeout``.
    """
    context = multiprocessing.get_context("spawn")  # polars' thread pool does not survive fork
    n = max(1, min(workers or os.cpu_count() or 2, len(jobs)))
    pending: deque[tuple[str, bytes]] = deque(jobs)
    retried: set[str] = set()
    outcomes: list[Outcome] = []
    pool = [_Worker(context, check, warmup) for _ in range(n)]
    try:
        while pending or any(w.job for w in pool):
            for w in pool:
                if w.job is None and pending:
                    w.submit(pending.popleft(), timeout_s)
            busy = [w for w in pool if w.job is not None]
            wait_s = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = wait([w.conn for w in busy], timeout=wait_s)
            for i, w in enumerate(pool):
                if w.job is None:
                    continue
                name, data = w.job
                if w.conn in ready:
                    try:
                        outcomes.append(w.conn.recv())
                        w.job = None
                        continue
                    except EOFError:
                        w.kill()
                        outcomes.append(Outcome(name, "died", f"worker exit code {w.process.exitcode}"))
                elif time.monotonic() >= w.deadline:
                    w.kill()
                    if name in retried:
                        outcomes.append(Outcome(name, "timeout", f"no result within {timeout_s} s (twice)"))
                    else:
                        retried.add(name)
                        pending.appendleft((name, data))
                else:
                    continue
                pool[i] = _Worker(context, check, warmup)
    finally:
        for w in pool:
            w.stop()
    return outcomes
