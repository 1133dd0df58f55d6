"""From the paths a user gives to rows in the store: find the files, prepare each one (decode,
screen, classify: pure, parallel anywhere), write them in short ordered transactions, then
look at each athlete's files together (a workout recorded twice counts once: ``duplicates``;
thresholds from the whole history: ``calibrate``), report.

:func:`ingest` is the whole run; :mod:`hamflow_flows` runs the same loop under Prefect.
"""

from .files import Candidate, Discovery, InboxError, discover, discover_inbox, fit_paths
from .prepare import DEFAULT_MAX_FILE_BYTES, prepare_file
from .reprocess import reprocess
from .run import (
    Engine,
    IngestError,
    IngestOptions,
    LocalEngine,
    RunPlan,
    RunReport,
    batches,
    finish_run,
    has_new_files,
    ingest,
    plan_run,
    prepare_files,
    run,
    write_prepared,
)

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
    "reprocess",
    "run",
    "write_prepared",
]
