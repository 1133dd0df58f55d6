"""One workout as a coach looks at it: its signals over time, downsampled for display, and the
spans of its movement patterns.

A workout stores one row per second; an hour is 3,600 points per signal, more than a chart
needs and too much to embed ten times per athlete in one page. The signals are averaged over
buckets of at least :data:`MIN_BUCKET_S` seconds, wide enough that no workout gives more than
:data:`MAX_POINTS` points. The pattern spans are not downsampled: a workout has few segments.
The report (from the database) and ``hamflow explain --html`` (from a file) both come here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

#: The fewest seconds averaged into one point: finer than this is noise at a chart's width.
MIN_BUCKET_S: Final[int] = 10
#: The most points per signal of one workout (an hour gives 360 at 10 s buckets; longer ones
#: get wider buckets): about one point per two pixels of the chart.
MAX_POINTS: Final[int] = 360

#: The signals a workout chart can show, with their column in the samples and their label.
#: Speed is shown in km/h, which coaches read; the rest in their stored units.
SIGNALS: Final[tuple[tuple[str, str], ...]] = (
    ("speed_kmh", "Speed (km/h)"),
    ("grade_pct", "Grade (%)"),
    ("power_w", "Power (W)"),
    ("heart_rate_bpm", "Heart rate (bpm)"),
)


@dataclass(frozen=True)
class WorkoutTrace:
    """The chart's rows of one workout: ``points`` (minute from the start and one column per
    signal present) and ``spans`` (pattern, from and to minute)."""

    points: pl.DataFrame
    spans: pl.DataFrame
    bucket_s: int

    @property
    def signals(self) -> list[str]:
        """The signals this workout has, in :data:`SIGNALS` order."""
        return [name for name, _ in SIGNALS if name in self.points.columns]

    def to_rows(self) -> dict[str, Any]:
        return {"bucket_s": self.bucket_s, "signals": self.signals}


def bucket_seconds(span_s: float) -> int:
    """The bucket width (s) that keeps a workout of ``span_s`` seconds within :data:`MAX_POINTS`."""
    return max(MIN_BUCKET_S, math.ceil(span_s / MAX_POINTS))


def trace(samples: pl.DataFrame, segments: pl.DataFrame) -> WorkoutTrace:
    """``samples`` (``ts_utc`` and the stored signal columns) and ``segments`` (``pattern``,
    ``start_utc``, ``end_utc``) of one workout as chart rows. A signal the workout never
    recorded is left out, so its chart shows only what was measured."""
    if samples.is_empty():
        empty = pl.DataFrame(schema={"minute": pl.Float64})
        return WorkoutTrace(empty, _spans(segments, None), MIN_BUCKET_S)
    start = samples["ts_utc"].min()
    elapsed = (pl.col("ts_utc") - pl.lit(start)).dt.total_seconds()
    span_s = float(samples.select(elapsed.max()).item() or 0)
    bucket = bucket_seconds(span_s)
    signals = samples.with_columns((pl.col("speed_mps") * 3.6).alias("speed_kmh"))
    present = [name for name, _ in SIGNALS if signals[name].is_not_null().any()]
    points = (
        signals.with_columns((elapsed // bucket).alias("bucket"))
        .group_by("bucket")
        .agg(pl.col(present).mean().round(1))  # a tenth is finer than any of these signals' noise
        .sort("bucket")
        .select(((pl.col("bucket") * bucket + bucket / 2) / 60).round(2).alias("minute"), *present)
    )
    return WorkoutTrace(points, _spans(segments, start), bucket)


def _spans(segments: pl.DataFrame, start: Any) -> pl.DataFrame:
    if segments.is_empty() or start is None:
        return pl.DataFrame(schema={"pattern": pl.String, "from_min": pl.Float64, "to_min": pl.Float64})
    def minute(column: str) -> pl.Expr:
        return ((pl.col(column) - pl.lit(start)).dt.total_seconds() / 60).round(2)

    return segments.select("pattern", minute("start_utc").alias("from_min"), minute("end_utc").alias("to_min"))
