"""Generated athletes for the calibration tests: FIT files from hand-written 1 Hz traces.

The samplegen encoder writes them as a Garmin watch would (speed, distance, altitude, heart
rate, cadence, one lap), so they go through the same decode, screen and store as real files.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from samplegen.catalog import ANA
from samplegen.encode import encode_workout
from samplegen.model import LapSpan, Trace, WorkoutSpec, utc

Block = tuple[int, float, float]  # seconds, speed m/s, grade %


def _ramped(blocks: Sequence[Block]) -> tuple[list[float], list[float]]:
    speeds: list[float] = []
    grades: list[float] = []
    for seconds, speed, grade in blocks:
        start = speeds[-1] if speeds else 0.0
        for i in range(seconds):
            k = min(1.0, (i + 1) / 3)  # 3 s ramp into each block
            speeds.append(start + (speed - start) * k)
            grades.append(grade)
    return speeds, grades


def trace(blocks: Sequence[Block], *, hr: float = 150.0) -> Trace:
    speeds, grades = _ramped(blocks)
    n = len(speeds)
    distance, altitude = [], []
    d, a = 0.0, 50.0
    for v, g in zip(speeds, grades, strict=True):
        d += v
        a += v * g / 100 / math.sqrt(1 + (g / 100) ** 2)
        distance.append(d)
        altitude.append(a)
    cadence = [85.0 if v > 2.2 else (55.0 if v > 0.5 else 0.0) for v in speeds]
    heart = [min(hr + 20 * v / 6, 195.0) for v in speeds]
    channels = {"speed": speeds, "distance": distance, "altitude": altitude, "heart_rate": heart, "cadence": cadence}
    return Trace(n=n, channels=channels, laps=[LapSpan(0, n, "active", "manual")], effort=[0.6] * n)


def write(folder: Path, name: str, start: datetime, blocks: Sequence[Block], *, serial: int = 1_234_567) -> Path:
    """One on-foot workout of ``blocks`` starting at ``start`` as ``folder/name.fit``."""
    athlete = replace(ANA, name=folder.name, watch=replace(ANA.watch, serial_number=serial))
    t = trace(blocks)
    spec = WorkoutSpec(athlete, "easy_run", start, t.n, seed=1)
    path = folder / f"{name}.fit"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode_workout(spec, t))
    return path


def jog(minutes: int, speed: float = 3.0) -> list[Block]:
    return [(minutes * 60, speed, 0.0)]


def strides(top: float = 6.0) -> list[Block]:
    """Easy jog with 4 x 20 s strides reaching ``top``."""
    reps = [b for _ in range(4) for b in ((20, top, 0.0), (90, 1.4, 0.0))]
    return jog(10) + reps + jog(10)


def hill_sprints(speed: float = 5.3, grade: float = 9.0, reps: int = 6) -> list[Block]:
    """Six 30-second hill sprints at ``speed`` on a ``grade`` % hill, walking back down."""
    one = [(30, speed, grade), (120, 1.3, -grade), (30, 0.0, 0.0)]
    return jog(10) + [b for _ in range(reps) for b in one] + jog(8)


def flat_sprints(speed: float = 5.8, reps: int = 6) -> list[Block]:
    """Short flat sprints of 8 s near top speed, walking between."""
    one = [(10, speed, 0.0), (120, 1.3, 0.0)]
    return jog(8, 2.8) + [b for _ in range(reps) for b in one] + jog(8, 2.8)


DAY = timedelta(days=1)
T0 = utc(2026, 3, 2, 7, 0)
