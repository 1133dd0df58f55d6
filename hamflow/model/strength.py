"""Strength sets: which lower-body joint action each one trains.

A watch's strength activity carries FIT ``set`` messages with exercise *categories* (the FIT
profile's ``exercise_category``: ``deadlift``, ``hip_raise``, ``squat``, ...). The category is
enough to tell hip-extension work (deadlifts, hip thrusts and bridges, leg curls - FIT files good
mornings under ``leg_curl`` -, back extensions, kettlebell swings, Olympic pulls) from
knee-extension work (squats - FIT files the leg press under ``squat`` -, lunges and split squats,
jumps, sled pushes). Everything else (upper body, core, calves, hip abduction, cardio) is
``other``. The lists are configurable (``[model.strength]``).

A strength session with at least one hip- or knee-extension set is a leg day in the weekly
picture. Its seconds carry no cardio load: lifting is not classified second by second.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import StrEnum

import polars as pl

from hamflow.fit.types import StrengthSet

from .config import StrengthRules


class Movement(StrEnum):
    HIP_EXTENSION = "hip_extension"
    KNEE_EXTENSION = "knee_extension"
    OTHER = "other"


SETS_SCHEMA: dict[str, pl.DataType] = {
    "set_index": pl.Int32(),
    "ts_utc": pl.Datetime("us", "UTC"),
    "categories": pl.List(pl.String()),
    "movement": pl.String(),
    "repetitions": pl.Int32(),
    "weight_kg": pl.Float64(),
    "duration_s": pl.Float64(),
}


def movement_of(categories: Iterable[str], rules: StrengthRules) -> Movement:
    """Hip extension wins over knee extension when a set names both (a squat-to-press is a squat)."""
    names = {c.lower() for c in categories}
    if names & set(rules.hip_extension):
        return Movement.HIP_EXTENSION
    if names & set(rules.knee_extension):
        return Movement.KNEE_EXTENSION
    return Movement.OTHER


def active_sets(sets: Sequence[StrengthSet]) -> list[StrengthSet]:
    """Sets that were worked (FIT also writes ``rest`` sets between them)."""
    return [s for s in sets if (s.set_type or "active") != "rest"]


def sets_frame(sets: Sequence[StrengthSet], rules: StrengthRules) -> pl.DataFrame:
    """One row per worked set, in time order, with its movement."""
    worked = sorted(
        active_sets(sets), key=lambda s: (s.ts_utc is None, s.ts_utc or datetime.min, s.categories)
    )
    rows = [
        {
            "set_index": i,
            "ts_utc": s.ts_utc,
            "categories": list(s.categories),
            "movement": movement_of(s.categories, rules).value,
            "repetitions": s.repetitions,
            "weight_kg": s.weight_kg,
            "duration_s": s.duration_s,
        }
        for i, s in enumerate(worked)
    ]
    return pl.DataFrame(rows, schema=SETS_SCHEMA)


def sets_in_span(sets: Sequence[StrengthSet], start: datetime | None, end: datetime | None) -> list[StrengthSet]:
    """The sets that belong to a session running from ``start`` to ``end`` (inclusive)."""
    if start is None or end is None:
        return list(sets)
    return [s for s in sets if s.ts_utc is None or start <= s.ts_utc <= end]
