"""A synthetic athlete-year for load testing: one mixed workout per day.

365 one-hour workouts at 1 Hz are about 1.3 million records - enough to
measure ingest and analysis throughput on realistic files without
committing them.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from .catalog import ANA
from .model import Athlete
from .plan import PlannedFile, planned, spec_at_local

YEAR_MIX: tuple[tuple[str, int], ...] = (
    ("easy_run", 8),
    ("tempo_run", 2),
    ("track_sprints", 2),
    ("hill_sprints", 2),
    ("incline_walk", 3),
    ("incline_walk_ciq", 1),
    ("row", 2),
    ("row_ciq", 1),
    ("bike", 3),
    ("elliptical", 2),
    ("stair", 1),
    ("strength", 2),
)
"""Relative frequency of each kind over the year (a runner who cross-trains)."""


def athlete_year(
    seed: int,
    n: int = 365,
    athlete: Athlete = ANA,
    first_day: date = date(2026, 1, 1),
    seconds: int = 3600,
) -> list[PlannedFile]:
    """Plan ``n`` daily workouts of mixed kinds starting on ``first_day``.

    Start times fall between 06:00 and 19:59 local time, away from DST
    gaps.  Every workout lasts ``seconds`` (one record per second).
    """
    rng = random.Random(seed)
    kinds = [k for k, _ in YEAR_MIX]
    weights = [w for _, w in YEAR_MIX]
    files = []
    for offset in range(n):
        day = first_day + timedelta(days=offset)
        kind = rng.choices(kinds, weights)[0]
        minute = rng.randrange(6 * 60, 20 * 60)
        local = f"{day.isoformat()} {minute // 60:02d}:{minute % 60:02d}"
        files.append(planned(spec_at_local(rng, athlete, local, kind, seconds)))
    return files
