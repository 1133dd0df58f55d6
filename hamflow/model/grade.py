"""The grade under the athlete's feet, and where it came from.

Sources, best first (one per session, so a session never mixes two views of the slope):

1. ``record_grade``: the record's own ``grade`` field (treadmill consoles, some bike
   computers). Used as the device gives it.
2. ``developer_incline``: a developer field with the treadmill's incline (Connect IQ apps).
3. ``altitude``: derived from altitude and distance, outdoors only. Indoors a watch's barometer
   measures the air in the room, not a hill.
4. ``none``: no grade at all. The grade column stays null: on a treadmill without an incline
   field nobody knows the incline, so the model gives no incline credit (patterns treat the
   second as flat) and says so.

Grade from altitude follows GoldenCheetah's idea (altitude change over distance change; keep
the previous value where distance does not advance or the result exceeds 40 %; a 10-sample
rolling mean), with one change so that noisy barometric altitude at walking pace still works:
the slope is a least-squares fit of altitude against distance over a centred window of
``window_m`` metres of distance, not the change between two neighbouring seconds. At 1.3 m/s a
neighbour difference divides ~0.3 m of sensor noise by 1.3 m of distance (±20 % of noise); a
20 m window brings that below 1 %.
"""

from __future__ import annotations

from enum import StrEnum

import polars as pl

from .config import GradeFilter


class GradeSource(StrEnum):
    RECORD_GRADE = "record_grade"
    DEVELOPER_INCLINE = "developer_incline"
    ALTITUDE = "altitude"
    NONE = "none"


def choose_grade_source(frame: pl.DataFrame, *, indoor: bool) -> GradeSource:
    """The best grade source this session has (see the module docstring)."""

    def has(column: str) -> bool:
        return column in frame.columns and frame.get_column(column).null_count() < frame.height

    if frame.is_empty():
        return GradeSource.NONE
    if has("grade_pct"):
        return GradeSource.RECORD_GRADE
    if has("incline_pct"):
        return GradeSource.DEVELOPER_INCLINE
    if not indoor and has("altitude_m") and has("distance_m"):
        return GradeSource.ALTITUDE
    return GradeSource.NONE


def grade_expr(source: GradeSource, params: GradeFilter) -> pl.Expr:
    """Expression for ``grade_pct`` (%) on a 1 Hz frame, given the session's source.

    Device grades are carried forward over missing seconds (an incline holds until changed).
    """
    if source is GradeSource.RECORD_GRADE:
        return pl.col("grade_pct").forward_fill().backward_fill()
    if source is GradeSource.DEVELOPER_INCLINE:
        return pl.col("incline_pct").forward_fill().backward_fill()
    if source is GradeSource.ALTITUDE:
        return altitude_grade(params)
    return pl.lit(None, dtype=pl.Float64)


def altitude_grade(params: GradeFilter) -> pl.Expr:
    """Grade (%) from ``altitude_m`` and ``distance_m``, rows one second apart.

    For each second: the least-squares slope of altitude on distance over the samples whose
    distance lies within ``window_m / 2`` of its own; null (then the previous value, for up to
    ``hold_s`` seconds) where the window spans less than ``min_span_fraction * window_m`` of
    distance (standing still) or has fewer than 3 altitudes, or the slope exceeds
    ``max_abs_pct``; then a centred rolling mean over ``rolling_samples`` seconds. Holding a
    value for a bounded time keeps every grade a function of its own minute of data.
    """
    half = params.window_m / 2.0
    # Distance must be sorted for the window search: fill holes, and never let it go back.
    d = pl.col("distance_m").forward_fill().backward_fill().cum_max()
    a = pl.col("altitude_m")
    ok = a.is_not_null() & d.is_not_null()
    x = pl.when(ok).then(d - d.first()).otherwise(0.0)
    y = pl.when(ok).then(a).otherwise(0.0)
    lo = d.search_sorted(d - half, side="left")
    hi = d.search_sorted(d + half, side="right") - 1

    def window_sum(values: pl.Expr) -> pl.Expr:
        cum = values.cum_sum()
        return cum.gather(hi) - cum.gather(lo) + values.gather(lo)

    n = window_sum(ok.cast(pl.Float64))
    sx, sy = window_sum(x), window_sum(y)
    sxx, sxy = window_sum(x * x), window_sum(x * y)
    denominator = n * sxx - sx * sx
    slope = (n * sxy - sx * sy) / denominator * 100.0
    span = d.gather(hi) - d.gather(lo)
    valid = (
        (span >= params.min_span_fraction * params.window_m)
        & (n >= 3)
        & (denominator > 0)
        & (slope.abs() <= params.max_abs_pct)
    )
    raw = pl.when(valid).then(slope).otherwise(None)
    return (
        raw.forward_fill(limit=params.hold_s)
        .backward_fill(limit=params.hold_s)
        .rolling_mean(window_size=params.rolling_samples, center=True, min_samples=1)
    )
