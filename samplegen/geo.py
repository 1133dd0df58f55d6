"""Outdoor geometry: routes laid out in metres, converted to FIT semicircles.

Workouts move along a one-dimensional path coordinate (metres travelled,
going backwards when the athlete walks back down a hill).  A route maps
that coordinate to a point in a local east/north plane around the
athlete's origin; the small-area flat-earth conversion is plenty for a few
kilometres.  Trigonometry only appears in fixed geometry, and every result
is rounded to whole semicircles (~1 cm), so platform maths differences
cannot leak into the bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

SEMICIRCLES_PER_DEGREE = 2**31 / 180.0
METRES_PER_DEGREE_LAT = 111_320.0


class Route(Protocol):
    def xy(self, s: float) -> tuple[float, float]:
        """East/north offset in metres at path coordinate ``s``."""
        ...


@dataclass(frozen=True)
class OutAndBack:
    """A polyline run out and back repeatedly (river paths, park roads).

    Past the end of the line the runner turns around, so any distance maps
    to a point on the line; negative coordinates mirror the same way.
    """

    points: tuple[tuple[float, float], ...]

    @property
    def length(self) -> float:
        return sum(math.dist(a, b) for a, b in zip(self.points, self.points[1:], strict=False))

    def xy(self, s: float) -> tuple[float, float]:
        span = self.length
        s = abs(s) % (2.0 * span)
        if s > span:
            s = 2.0 * span - s
        for (x0, y0), (x1, y1) in zip(self.points, self.points[1:], strict=False):
            seg = math.dist((x0, y0), (x1, y1))
            if s <= seg:
                f = s / seg
                return x0 + (x1 - x0) * f, y0 + (y1 - y0) * f
            s -= seg
        return self.points[-1]


@dataclass(frozen=True)
class Track:
    """A standard 400 m oval measured in lane 1, run counter-clockwise.

    Straights run east-west; ``centre`` is the infield centre relative to
    the athlete's origin.
    """

    centre: tuple[float, float]
    straight: float = 84.39
    radius: float = 36.80

    def xy(self, s: float) -> tuple[float, float]:
        bend = math.pi * self.radius
        lap = 2.0 * self.straight + 2.0 * bend
        s %= lap
        cx, cy = self.centre
        half = self.straight / 2.0
        if s < self.straight:  # home straight, heading east
            return cx - half + s, cy - self.radius
        s -= self.straight
        if s < bend:  # east bend
            a = -math.pi / 2.0 + s / self.radius
            return cx + half + self.radius * math.cos(a), cy + self.radius * math.sin(a)
        s -= bend
        if s < self.straight:  # back straight, heading west
            return cx + half - s, cy + self.radius
        s -= self.straight
        a = math.pi / 2.0 + s / self.radius  # west bend
        return cx - half + self.radius * math.cos(a), cy + self.radius * math.sin(a)


def to_semicircles(origin_lat: float, origin_lon: float, east: float, north: float) -> tuple[int, int]:
    """Convert a local offset to FIT (lat, long) semicircles."""
    lat = origin_lat + north / METRES_PER_DEGREE_LAT
    lon = origin_lon + east / (METRES_PER_DEGREE_LAT * math.cos(math.radians(origin_lat)))
    return round(lat * SEMICIRCLES_PER_DEGREE), round(lon * SEMICIRCLES_PER_DEGREE)


RIVER_PATH = OutAndBack(
    (
        (0.0, 0.0),
        (380.0, 140.0),
        (820.0, 210.0),
        (1290.0, 460.0),
        (1760.0, 520.0),
        (2300.0, 830.0),
        (2950.0, 900.0),
    )
)
"""Flat riverside path used for easy and tempo runs."""

HILL_PATH = OutAndBack(
    (
        (0.0, 0.0),
        (-420.0, 610.0),
        (-760.0, 1180.0),
        (-1010.0, 1490.0),
        (-1330.0, 1930.0),
        (-1480.0, 2420.0),
    )
)
"""Jog to the hill and back; reps go up and down the far straight section."""

TRACK = Track(centre=(640.0, -470.0))
"""The athletics track near each athlete's home."""
