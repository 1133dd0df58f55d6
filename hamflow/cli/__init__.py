"""The ``hamflow`` command line: :func:`main`, and the command group ``cli`` (:mod:`.commands`).

This module imports nothing of hamflow's own until a command runs. The console script that runs
``hamflow`` imports it, and so does every decode worker the Prefect flow spawns: a spawned
process runs its parent's main script before its first task. The commands' modules bring in
DuckDB, pyarrow, the store and the report (about 60 MB of resident memory), which a worker,
decoding and classifying, never uses.
"""

from __future__ import annotations

from typing import Any


def main() -> None:
    from .commands import cli

    cli(prog_name="hamflow")


def __getattr__(name: str) -> Any:
    """``cli`` and ``COMMANDS``, from :mod:`.commands` when first asked for."""
    if name in ("cli", "COMMANDS"):
        from . import commands

        return getattr(commands, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
