"""Run a check over many inputs in worker processes, each input under a CPU-time and memory limit.

A hang or a runaway allocation in the code under test must fail the test, not the machine:
every input gets a budget of CPU seconds (the worker is killed when its CPU time for the input
passes it), every worker runs under an address-space limit, and the peak resident memory after
each input is reported. A worker that dies (killed, aborted, out of memory) is replaced and the
input is reported.

The budget is CPU time, not wall time: on a machine busy with other work a check waits for a
core without using its budget, so the verdict does not depend on the load. A worker that stops
using CPU without answering (blocked, deadlocked) is caught by a wall-clock guard many times
the budget.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

import psutil

#: Head-room above the worker's own footprint (after imports) for its address space.
ADDRESS_SPACE_HEADROOM = 1536 * 1024 * 1024
#: How often the parent looks at a busy worker's CPU time.
POLL_S = 0.1
#: A worker that answers nothing for this many budgets of wall time is stuck, whatever its CPU time.
WALL_GUARD_BUDGETS = 30
MIN_WALL_GUARD_S = 60.0


@dataclass(frozen=True)
class Outcome:
    name: str
    verdict: str  # "ok" / "error" from the check, or "fail", "escaped", "timeout", "died"
    detail: str
    max_rss_kb: int = 0  # the worker's peak resident memory after this input
    cpu_seconds: float = 0.0  # CPU time of the check (all the worker's threads)
    rss_growth_kb: int = 0  # how far this input raised the worker's peak (0: stayed below it)


Check = Callable[[bytes], tuple[str, str]]


def _serve(conn: Connection, check: Check, warmup: bytes | None) -> None:
    if warmup is not None:
        check(warmup)  # imports and first-call set-up happen before any budget runs
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
        before = _peak_rss_kb()
        started = time.process_time()
        try:
            verdict, detail = check(data)
        except BaseException as exc:
            verdict, detail = "escaped", f"{type(exc).__name__}: {exc}"
        cpu_seconds = time.process_time() - started
        peak = _peak_rss_kb()
        conn.send(Outcome(name, verdict, " ".join(detail.split())[:500], peak, cpu_seconds, peak - before))


def _peak_rss_kb() -> int:
    """This worker's own peak resident set (``VmHWM``). Not ``ru_maxrss``: the kernel keeps that
    across the spawn's exec, so it starts at the resident set of the process that spawned the
    pool (a test process holding the decoded corpus can be over a gigabyte)."""
    with open("/proc/self/status") as status:
        return next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), 0)


def _cpu_seconds(process: psutil.Process) -> float:
    """User and system time of every thread of ``process`` so far (0 once it is gone)."""
    try:
        times = process.cpu_times()
    except psutil.Error:
        return 0.0
    return float(times.user + times.system)


class _Worker:
    def __init__(self, context: multiprocessing.context.SpawnContext, check: Check, warmup: bytes | None) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, check, warmup), daemon=True)
        self.process.start()
        child.close()
        if not self.conn.poll(300) or self.conn.recv() != "ready":
            self.kill()
            raise RuntimeError("a check worker did not start within 300 s")
        assert self.process.pid is not None
        self.ps = psutil.Process(self.process.pid)
        self.job: tuple[str, bytes] | None = None
        self.cpu_at_submit = 0.0
        self.wall_deadline = 0.0

    def submit(self, job: tuple[str, bytes], budget_s: float) -> None:
        self.job = job
        self.cpu_at_submit = _cpu_seconds(self.ps)
        self.conn.send(job)
        self.wall_deadline = time.monotonic() + max(MIN_WALL_GUARD_S, WALL_GUARD_BUDGETS * budget_s)

    def over_budget(self, budget_s: float) -> str | None:
        """Why the running input is taken as a hang, or None while it is within its limits."""
        used = _cpu_seconds(self.ps) - self.cpu_at_submit
        if used > budget_s:
            return f"used {used:.1f} s of CPU time (budget {budget_s} s)"
        if time.monotonic() > self.wall_deadline:
            return f"no answer and no progress for {max(MIN_WALL_GUARD_S, WALL_GUARD_BUDGETS * budget_s):.0f} s"
        return None

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(10)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(10)
        self.kill()


def run_checks(check: Check, jobs: Sequence[tuple[str, bytes]], *, workers: int | None = None,
               cpu_budget_s: float = 2.0, warmup: bytes | None = None) -> list[Outcome]:
    """``check(data)`` for every ``(name, data)`` job, in worker processes.

    An input that passes its budget is run once more in a fresh worker (a worker's first calls
    can be slower); if it passes the budget again it is reported as ``timeout``.
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
                    w.submit(pending.popleft(), cpu_budget_s)
            busy = [w for w in pool if w.job is not None]
            ready = wait([w.conn for w in busy], timeout=POLL_S)
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
                elif (why := w.over_budget(cpu_budget_s)) is not None:
                    w.kill()
                    if name in retried:
                        outcomes.append(Outcome(name, "timeout", f"{why}, twice"))
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
