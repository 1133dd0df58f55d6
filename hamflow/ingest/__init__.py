"""From the paths a user gives to rows in the store: find the files, prepare each one (decode,
screen, classify: pure, parallel anywhere), write them in short ordered transactions, then
look at each athlete's files together (a workout recorded twice counts once: ``duplicates``;
thresholds from the whole history: ``calibrate``), report.

:func:`ingest` is the whole run; :mod:`hamflow_flows` runs the same loop under Prefect.

The names below are imported from their modules when first used, not with the package: a
worker imports :mod:`~hamflow.ingest.steps` alone, which never loads DuckDB. The run loop and
``reprocess`` are imported from their modules (:func:`hamflow.ingest.run.run`,
:func:`hamflow.ingest.reprocess.reprocess`): a function named like a module of the package would
be replaced by that module once anything imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from .files import Candidate, Discovery, InboxError, discover, discover_inbox, fit_paths
    from .prepare import DEFAULT_MAX_FILE_BYTES, prepare_file
    from .run import (
        Engine,
        IngestError,
        LocalEngine,
        RunPlan,
        RunReport,
        batches,
        finish_run,
        has_new_files,
        ingest,
        plan_run,
        write_prepared,
    )
    from .steps import IngestOptions, prepare_files

#: Each public name and the module it lives in.
_HOMES: dict[str, str] = {
    **dict.fromkeys(("Candidate", "Discovery", "InboxError", "discover", "discover_inbox", "fit_paths"), "files"),
    **dict.fromkeys(("DEFAULT_MAX_FILE_BYTES", "prepare_file"), "prepare"),
    **dict.fromkeys(("Engine", "IngestError", "LocalEngine", "RunPlan", "RunReport", "batches", "finish_run", "has_new_files",
                     "ingest", "plan_run", "write_prepared"), "run"),
    **dict.fromkeys(("IngestOptions", "prepare_files"), "steps"),
}

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "Candidate",
    "Discovery",
    "Engine",
    "InboxError",
    "IngestError",
    "IngestOptions",
    "LocalEngine",
    "RunPlan",
    "RunReport",
    "batches",
    "discover",
    "discover_inbox",
    "finish_run",
    "fit_paths",
    "has_new_files",
    "ingest",
    "plan_run",
    "prepare_file",
    "prepare_files",
    "write_prepared",
]


__getattr__ = lazy_names(__name__, _HOMES)
