"""What a worker of the flow's pool (:mod:`hamflow_flows.pool`) runs before its first task, and
the settings it starts with.

A spawned worker imports the module of its initializer to unpickle it; this one imports nothing
but the standard library, so a worker loads hamflow's decoding and classifying and not Prefect.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

#: Threads polars runs each query on in a pool worker (unless ``POLARS_MAX_THREADS`` is set).
#: The pool already keeps every core busy with one worker each; a query's own threads only
#: contend with the other workers for the same cores. The athlete-year through the pool on
#: 2 cores: 0.90x the CPU and 0.85x the wall of polars' default (docs/benchmarks.md). In one
#: process (``--engine local``) the default's extra thread has a free core, and it stays.
POOL_WORKER_POLARS_THREADS = 1

#: How polars' allocator (jemalloc) in a pool worker hands freed memory back to the system
#: (unless ``_RJEM_MALLOC_CONF`` is set): at once, instead of keeping it for ten seconds. A
#: worker frees a batch's frames once they are sent; kept, they stacked up under the next
#: batch's: the larger of two workers on the real corpus peaked at 330 and 386 MB in two runs,
#: against 425 and 436 MB, for no measurable CPU (docs/benchmarks.md).
POOL_WORKER_JEMALLOC_CONF = "dirty_decay_ms:0,muzzy_decay_ms:0"

#: The environment a pool worker starts with, each variable unless the user has set it
#: (:func:`pool_worker_env`).
POOL_WORKER_ENV = {"POLARS_MAX_THREADS": str(POOL_WORKER_POLARS_THREADS), "_RJEM_MALLOC_CONF": POOL_WORKER_JEMALLOC_CONF}

#: What importing polars writes into ``_RJEM_MALLOC_CONF`` before the user's own setting, which
#: it appends (polars/__init__.py; ``thp`` options follow with ``POLARS_THP=1``). The run's
#: process has imported polars before it starts the pool, so the variable is always set there:
#: taken for the user's, it kept the pool's setting from the workers (the larger worker on the
#: real corpus peaked at 358-398 MiB instead of 265-275 MiB). A test holds this to polars.
POLARS_JEMALLOC_DEFAULTS = "dirty_decay_ms:500,muzzy_decay_ms:1000"


def users_allocator_conf(value: str | None) -> str | None:
    """What the user put in ``_RJEM_MALLOC_CONF``: ``value`` without polars' own defaults (see
    :data:`POLARS_JEMALLOC_DEFAULTS`); ``None`` when the user set nothing."""
    if value is not None and value.startswith(POLARS_JEMALLOC_DEFAULTS):
        value = value[len(POLARS_JEMALLOC_DEFAULTS):].lstrip(",")
    return value or None


def pool_worker_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables of :data:`POOL_WORKER_ENV` as a worker started from ``environ`` gets them:
    the user's where set; the allocator's settings the pool's followed by the user's, which
    jemalloc reads last and so wins."""
    env = {name: environ.get(name, value) for name, value in POOL_WORKER_ENV.items()}
    users = users_allocator_conf(environ.get("_RJEM_MALLOC_CONF"))
    env["_RJEM_MALLOC_CONF"] = f"{POOL_WORKER_JEMALLOC_CONF},{users}" if users else POOL_WORKER_JEMALLOC_CONF
    return env

#: How much lower than the run's own process the pool's workers are scheduled (added to their
#: nice value). The run's process writes each group of prepared batches while the workers keep
#: both cores busy preparing the next, and the workers soon wait on those writes; decoding also
#: gives way to whatever else the machine is doing. On a machine busy with other work (150 files
#: of the athlete-year through the pool, three alternating pairs) the writes took 1.8-3.4 s instead
#: of 4.6-5.3 s for no more wall; on an idle one they took as long as before (docs/benchmarks.md).
POOL_WORKER_NICENESS = 10


def lower_priority() -> None:
    """Schedule this process :data:`POOL_WORKER_NICENESS` steps below where it was (a pool
    worker's initializer; a no-op where the platform has no nice values)."""
    if hasattr(os, "nice"):
        os.nice(POOL_WORKER_NICENESS)


def start_worker(initializer: Callable[..., object] | None, initargs: tuple[Any, ...]) -> None:
    """A pool worker's first step: :func:`lower_priority`, then the pool's own initializer."""
    lower_priority()
    if initializer is not None:
        initializer(*initargs)

