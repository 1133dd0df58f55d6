"""Functions run in a pool worker to report on it. This module imports nothing beyond the
standard library at its top, so unpickling one loads nothing a worker would not load anyway."""

from __future__ import annotations

import os
import sys


def worker_settings() -> tuple[int, str | None, int, bool]:
    """Polars' threads, the allocator settings it started with, this process's nice value, and
    whether Prefect is loaded here."""
    import polars as pl

    return pl.thread_pool_size(), os.environ.get("_RJEM_MALLOC_CONF"), os.nice(0), "prefect" in sys.modules


def mark_started(folder: str) -> None:
    """A pool worker's initializer: leaves a file named by its process id in ``folder``."""
    with open(os.path.join(folder, str(os.getpid())), "w"):
        pass
