"""The sample month: four weeks of two athletes' training, 2026-10-05 to 2026-11-01.

The schedule is written out by hand because each entry exists to exercise
something specific in the analysis:

* DST ends inside the window in both zones (Europe/Berlin on 2026-10-25,
  America/New_York on 2026-11-01), so UTC offsets change mid-month.
* ana's Monday 00:40 run falls in the previous ISO week in UTC, and ben's
  Sunday 21:00 elliptical falls in the next one.
* ana's week 42 has three sprint sessions, two of them 30 h apart.
* ana's folder also holds four damaged files and one upper-case ``.FIT``.

The seed only varies the signals and the small duration jitter; dates,
kinds and file names are fixed, so tests can rely on them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .catalog import ANA, BEN
from .model import Athlete
from .plan import PlannedFile, planned, spec_at_local

DEFAULT_SEED = 20261005


@dataclass(frozen=True)
class Slot:
    """One line of the hand-written schedule (local wall-clock start)."""

    athlete: Athlete
    local: str
    kind: str
    minutes: int
    broken: str | None = None
    profile: tuple[str, str] | None = None
    upper_ext: bool = False


SCHEDULE: tuple[Slot, ...] = (
    # ana - Europe/Berlin, Forerunner 965
    Slot(ANA, "2026-10-05 07:10", "easy_run", 40),
    Slot(ANA, "2026-10-07 18:30", "track_sprints", 45),
    Slot(ANA, "2026-10-09 07:00", "easy_run", 35, broken="empty_file"),
    Slot(ANA, "2026-10-10 09:30", "tempo_run", 50),
    Slot(ANA, "2026-10-11 10:30", "strength", 45),
    Slot(ANA, "2026-10-12 00:40", "easy_run", 35),  # Sunday 22:40 UTC: previous ISO week in UTC
    Slot(ANA, "2026-10-13 07:00", "track_sprints", 40),
    Slot(ANA, "2026-10-14 13:00", "hill_sprints", 40),  # 30 h after the track session
    Slot(ANA, "2026-10-15 19:00", "incline_walk", 40),
    Slot(ANA, "2026-10-16 18:30", "bike", 45, broken="truncated"),
    Slot(ANA, "2026-10-17 10:00", "hill_sprints", 45),  # third sprint session of week 42
    Slot(ANA, "2026-10-19 18:00", "bike", 45),
    Slot(ANA, "2026-10-21 19:00", "incline_walk_ciq", 35),
    Slot(ANA, "2026-10-23 07:15", "easy_run", 40, upper_ext=True),
    Slot(ANA, "2026-10-24 09:30", "tempo_run", 45, broken="crc_mismatch"),
    Slot(ANA, "2026-10-25 10:00", "easy_run", 50),  # first morning on CET
    Slot(ANA, "2026-10-27 18:00", "stair", 30),
    Slot(ANA, "2026-10-28 07:00", "track_sprints", 40),
    Slot(ANA, "2026-10-29 19:00", "row_ciq", 30),
    Slot(ANA, "2026-10-30 19:00", "stair", 30, broken="not_fit"),
    # ben - America/New_York, fenix 7
    Slot(BEN, "2026-10-06 06:30", "easy_run", 45, profile=("running", "street")),
    Slot(BEN, "2026-10-08 18:00", "row", 35),
    Slot(BEN, "2026-10-10 08:00", "tempo_run", 50),
    Slot(BEN, "2026-10-12 12:15", "elliptical", 40),
    Slot(BEN, "2026-10-14 06:30", "hill_sprints", 40),
    Slot(BEN, "2026-10-18 21:00", "elliptical", 30),  # Monday 01:00 UTC: next ISO week in UTC
    Slot(BEN, "2026-10-20 06:30", "easy_run", 40, profile=("running", "street")),
    Slot(BEN, "2026-10-22 18:30", "incline_walk", 45, profile=("running", "treadmill")),
    Slot(BEN, "2026-10-24 09:00", "bike", 60),
    Slot(BEN, "2026-10-27 07:00", "strength", 40),
    Slot(BEN, "2026-11-01 09:00", "easy_run", 50, profile=("running", "street")),  # first morning on EST
)


def build_month(seed: int = DEFAULT_SEED) -> list[PlannedFile]:
    """Plan every file of the sample month, sorted by path.

    Durations get 0-120 s of jitter on top of the scheduled minutes, as
    nobody stops a watch on the exact minute.
    """
    rng = random.Random(seed)
    files = []
    for slot in SCHEDULE:
        seconds = slot.minutes * 60 + rng.randint(0, 120)
        spec = spec_at_local(rng, slot.athlete, slot.local, slot.kind, seconds, slot.profile)
        files.append(planned(spec, slot.broken, slot.upper_ext))
    return sorted(files, key=lambda f: f.relpath)
