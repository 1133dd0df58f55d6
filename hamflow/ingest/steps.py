"""The steps of a run that a worker takes, and the options they share with the run.

Pure, as the run's docstring says of them: no database. This module and what it imports never
load DuckDB, so neither does a worker of the flow's pool, which unpickles these functions and
their arguments (about 20 MB less per worker; ``tests/pipelines/test_worker_imports.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from ..model import HamflowConfig as Config
from ..model.thresholds import PriorThresholds
from ..store.prepared import PreparedFile
from .archives import ArchiveReader
from .files import Candidate
from .prepare import DEFAULT_MAX_FILE_BYTES, prepare_batch
from .survey import survey_files

__all__ = ["IngestOptions", "prepare_files", "survey_batch"]


@dataclass(frozen=True)
class IngestOptions:
    athlete: str | None = None  # overrides folders and serial numbers for every file
    settle_s: float = 1.0  # wait this long to see whether new files are still growing
    batch_size: int = 8  # files per prepare task
    #: A write transaction takes whole prepared batches until it holds at least this many
    #: samples (or the run has none left); 0 writes each batch on its own. Each transaction pays
    #: a fixed cost (opening the file, about fifteen statements, the weekly recomputation of its
    #: athletes' whole history, a checkpoint on close: about 0.1 s) while the database is locked
    #: for every other process: 262,144 samples (sixteen row groups of
    #: sql/session/attach_for_writing.sql, about 73 hour-long files) keep that to about a third of
    #: the write time, in a transaction of under a second, for about 70 MB more in the writing
    #: process than half as many (docs/benchmarks.md).
    write_samples: int = 262_144
    keep_positions: bool = False
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES  # larger files are quarantined unread
    in_flight: int | None = None  # parallel engines: batches prepared ahead of the write (default: 2 per worker)
    #: A process pool starts its workers only for at least this many new bytes; fewer are
    #: decoded in the run's own process. Each worker imports hamflow and polars (seconds of CPU)
    #: before it decodes anything, while a night's few files (~100 kB an hour) take a fraction
    #: of a second in any process: 4 MiB is about 40 hour-long files, a second or two of work.
    pool_min_bytes: int = 4 * 2**20


def prepare_files(candidates: Iterable[Candidate], config: Config, options: IngestOptions = IngestOptions(),
                  priors: PriorThresholds | None = None, handoff: str | None = None) -> list[PreparedFile]:
    """Decode and classify each file, each workout with its athlete's thresholds timeline in
    ``priors`` (:func:`~hamflow.ingest.run.learn_priors`), starting from what the survey left in the ``handoff``
    directory where it left something. Pure: no database; safe in any worker process."""
    with ArchiveReader(config.archives) as reader:
        return prepare_batch(list(candidates), config, athlete=options.athlete, keep_positions=options.keep_positions,
                             max_file_bytes=options.max_file_bytes, reader=reader, priors=priors, handoff=handoff)


def survey_batch(candidates: Iterable[Candidate], config: Config, options: IngestOptions = IngestOptions(),
                 handoff: str | None = None) -> pl.DataFrame:
    """The threshold candidates of each new workout, without classifying
    (:mod:`hamflow.ingest.survey`), each surveyed file left decoded and screened in the
    ``handoff`` directory for its prepare. Pure: no database; safe in any worker process."""
    return survey_files(candidates, config, athlete=options.athlete, max_file_bytes=options.max_file_bytes,
                        keep_positions=options.keep_positions, handoff=handoff)
