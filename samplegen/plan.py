"""Planned output files: a workout spec plus where it goes and how it is damaged.

Both the sample month and the synthetic athlete-year are lists of
``PlannedFile``; the writer does not care which plan produced them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .model import Athlete, WorkoutSpec, local_to_utc

BROKEN_REASONS = ("empty_file", "truncated", "not_fit", "crc_mismatch")


@dataclass(frozen=True)
class PlannedFile:
    """One file to write.

    ``relpath`` is relative to the output folder (``athlete/name.fit``).
    ``broken`` is ``None`` for a good file or one of ``BROKEN_REASONS``;
    a broken file is derived from the workout in ``spec`` (the one the file
    should have held), so the damage is realistic and reproducible.
    """

    relpath: str
    spec: WorkoutSpec
    broken: str | None = None

    def __post_init__(self) -> None:
        if self.broken is not None and self.broken not in BROKEN_REASONS:
            raise ValueError(f"unknown broken reason {self.broken!r}")


def file_name(spec: WorkoutSpec, upper_ext: bool = False) -> str:
    """``YYYY-MM-DD-HHMM-<kind>.fit`` in the athlete's local time, as watches name uploads."""
    ext = "FIT" if upper_ext else "fit"
    return f"{spec.local_start:%Y-%m-%d-%H%M}-{spec.kind}.{ext}"


def planned(spec: WorkoutSpec, broken: str | None = None, upper_ext: bool = False) -> PlannedFile:
    return PlannedFile(f"{spec.athlete.name}/{file_name(spec, upper_ext)}", spec, broken)


def spec_at_local(
    rng: random.Random,
    athlete: Athlete,
    local: str,
    kind: str,
    seconds: int,
    profile: tuple[str, str] | None = None,
) -> WorkoutSpec:
    """A spec starting at a local wall-clock time ``"YYYY-MM-DD HH:MM"``.

    The workout seed is drawn from the plan's ``rng`` so that one plan seed
    determines every file, while each workout remains reproducible alone.
    """
    day, clock = local.split(" ")
    year, month, mday = (int(x) for x in day.split("-"))
    hour, minute = (int(x) for x in clock.split(":"))
    start = local_to_utc(athlete.tz, year, month, mday, hour, minute)
    return WorkoutSpec(athlete, kind, start, seconds, rng.getrandbits(32), profile)
