"""What one FIT file becomes before it touches the database.

Decoding and classifying are slow and can fail; writing must be quick and all-or-nothing. So
each file is first turned into a :class:`PreparedFile` (in a worker process, in parallel), and
only then written in one short transaction. A prepared file is plain data that pickles cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from .path_entry import PathEntry

FileStatus = Literal["ingested", "quarantined", "not_activity"]


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What a run reports about one file once its rows are written (no frames: small)."""

    path: str
    status: FileStatus
    reason: str | None
    detail: str | None
    workouts: int
    decode_s: float = 0.0
    classify_s: float = 0.0


@dataclass(frozen=True)
class PreparedFile:
    """One file, decoded and classified (or quarantined with its reason), ready to write."""

    sha256: str
    path: str
    size_bytes: int
    mtime_ns: int
    athlete_id: str
    status: FileStatus
    reason: str | None
    detail: str | None
    decoder: str
    decoder_version: str
    file_type: str | None = None
    manufacturer: str | None = None
    product: str | None = None
    serial_number: int | None = None
    decode_status: str | None = None
    warnings: tuple[str, ...] = ()
    #: Rows for the tables of the same names (empty frames when quarantined or not an activity).
    workouts: pl.DataFrame = field(default_factory=pl.DataFrame)
    workout_patterns: pl.DataFrame = field(default_factory=pl.DataFrame)
    segments: pl.DataFrame = field(default_factory=pl.DataFrame)
    samples: pl.DataFrame = field(default_factory=pl.DataFrame)
    strength_sets: pl.DataFrame = field(default_factory=pl.DataFrame)
    workout_evidence: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: CPU seconds this file took to decode and to classify in its worker process: summed
    #: over a run they say which stage the workers' time went to.
    decode_s: float = 0.0
    classify_s: float = 0.0
    #: The path index's row when it is not (path, size_bytes, mtime_ns): an archive member is
    #: indexed by its archive's stamp, while ``size_bytes`` is the size of the FIT file itself.
    index_entry: PathEntry | None = None

    @property
    def path_entry(self) -> PathEntry:
        return self.index_entry or PathEntry(self.path, self.size_bytes, self.mtime_ns, self.sha256)

    @property
    def workout_count(self) -> int:
        return self.workouts.height

    @property
    def outcome(self) -> FileOutcome:
        return FileOutcome(self.path, self.status, self.reason, self.detail, self.workout_count,
                           self.decode_s, self.classify_s)
