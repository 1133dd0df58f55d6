"""Typed results of decoding one FIT file.

A :class:`FitResult` holds everything later steps need and nothing they must not keep: GPS
positions are dropped unless asked for, because a per-second track says where someone lives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import polars as pl

#: ``ok``: decoded completely. ``truncated``: the file broke off (or a later chained block was
#: unreadable); everything before the break was kept. ``crc_mismatch``: every message decoded
#: but the file checksum is wrong, so some byte may have changed in storage or transfer.
DecodeStatus = Literal["ok", "truncated", "crc_mismatch"]

#: The library that decoded a file: fitparse (the reference) or fitfast (the optional fast path,
#: which gives the same result; see :mod:`hamflow.fit.fast`).
DecoderName = Literal["fitparse", "fitfast"]


@dataclass(frozen=True, slots=True)
class FileIdentity:
    """Who made the file and its exact bytes. ``sha256`` is the file's identity everywhere."""

    sha256: str
    size_bytes: int
    file_type: str | None
    manufacturer: str | None
    product: str | None
    serial_number: int | None
    time_created: datetime | None


@dataclass(frozen=True, slots=True)
class Event:
    ts_utc: datetime | None
    event: str | None
    event_type: str | None


@dataclass(frozen=True, slots=True)
class StrengthSet:
    """One FIT ``set`` message of a strength session (categories are FIT exercise categories)."""

    ts_utc: datetime | None
    set_type: str | None
    categories: tuple[str, ...]
    repetitions: int | None
    weight_kg: float | None
    duration_s: float | None


@dataclass(frozen=True, slots=True)
class Session:
    """One session of an activity (a triathlon has several) and its per-second records.

    ``records`` has the canonical columns of :data:`hamflow.fit.columns.RECORD_SCHEMA`, always all
    of them (null where the file has no such data), sorted by ``ts_utc``. ``sources`` says which
    FIT field fed each canonical column (``None`` when absent), e.g. ``{"speed_mps":
    "enhanced_speed", "incline_pct": "dev:Incline"}``.
    """

    index: int
    sport: str
    sub_sport: str | None
    start_utc: datetime | None
    elapsed_s: float | None
    timer_s: float | None
    distance_m: float | None
    records: pl.DataFrame
    sources: dict[str, str | None]
    synthetic: bool = False  # no session message in the file; made from the records' span
    #: What the device itself says about the session, for the data-quality cross-checks
    #: (None when the session message lacks the field, or the session is synthetic).
    max_speed_mps: float | None = None
    max_power_w: float | None = None
    total_ascent_m: float | None = None

    @property
    def record_count(self) -> int:
        return self.records.height


@dataclass(frozen=True, slots=True)
class FitResult:
    """Everything read from one FIT file."""

    path: str
    identity: FileIdentity
    status: DecodeStatus
    sessions: tuple[Session, ...]
    events: tuple[Event, ...]
    sets: tuple[StrengthSet, ...]
    #: activity.local_timestamp - activity.timestamp in minutes, when present and within +-14 h.
    utc_offset_min: int | None
    #: Number of ``record`` messages in the file, including any that carried no timestamp.
    record_count: int
    #: Native and developer record fields that held a value at least once.
    fields_present: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())
    chained_blocks: int = 1
    #: Which decoder produced this result; everything else is the same whichever it was.
    decoder: DecoderName = "fitparse"

    @property
    def is_activity(self) -> bool:
        """Activity files hold workouts; settings, courses, monitoring, weight files do not."""
        if self.identity.file_type in (None, "activity"):
            return self.record_count > 0 or bool(self.sessions)
        return False

    @property
    def kind(self) -> str:
        return "activity" if self.is_activity else (self.identity.file_type or "unknown")
