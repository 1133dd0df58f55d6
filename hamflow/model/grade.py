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

from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Final

import polars as pl

from .config import GradeFilter
from .motion import Stage, distance_advancing, with_stages
from .query import collect


class GradeSource(StrEnum):
    RECORD_GRADE = "record_grade"
    DEVELOPER_INCLINE = "developer_incline"
    ALTITUDE = "altitude"
    #: The session has altitude, but too noisy to give a grade (no incline credit).
    ALTITUDE_NOISY = "altitude_noisy"
    NONE = "none"

    @property
    def from_altitude(self) -> bool:
        return self in (GradeSource.ALTITUDE, GradeSource.ALTITUDE_NOISY)


#: Each source in words, for reasons and ``explain``.
GRADE_SOURCE_TEXT: dict[str, str] = {
    GradeSource.RECORD_GRADE.value: "grade from the device's own grade field",
    GradeSource.DEVELOPER_INCLINE.value: "grade from the treadmill incline (developer field)",
    GradeSource.ALTITUDE.value: "grade derived from altitude over distance (outdoors)",
    GradeSource.ALTITUDE_NOISY.value: "altitude too noisy to give a grade: no incline credit, counted as flat",
    GradeSource.NONE.value: "no grade in the file (indoors, no incline field): no incline credit, counted as flat",
}


def choose_grade_source(frame: pl.DataFrame, *, indoor: bool, params: GradeFilter | None = None) -> GradeSource:
    """The best grade source this session has (see the module docstring)."""
    source = _source_before_noise(frame, indoor=indoor)
    if source is GradeSource.ALTITUDE and params is not None and too_noisy(frame, params):
        return GradeSource.ALTITUDE_NOISY
    return source


def _source_before_noise(frame: pl.DataFrame, *, indoor: bool) -> GradeSource:
    """:func:`choose_grade_source` without the noise test, which needs a query of its own (or a
    place in the caller's: :func:`with_altitude_grade`)."""

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


def altitude_noise_m(floor_m: float) -> pl.Expr:
    """The altitude sensor's noise (m, one standard deviation), measured in the session itself.

    The residual of each altitude from the median of the 15 s around it: terrain changes
    little within 15 s, sensor noise a lot. Median absolute residual scaled to a standard
    deviation, so a few real steps do not count as noise. A barometer gives a few centimetres;
    GPS altitude metres.
    """
    a = pl.col("altitude_m")
    residual = a - a.rolling_median(15, center=True, min_samples=1)
    return (residual.abs().median() / 0.6745).clip(lower_bound=floor_m)


#: The distance as the slope window needs it: holes filled, and never going back (so sorted).
_FILLED_DISTANCE: Final = pl.col("distance_m").forward_fill().backward_fill().cum_max()


def _local_speed(distance: pl.Expr = _FILLED_DISTANCE) -> pl.Expr:
    """Distance covered per second, smoothed over 5 s (m/s; 0 where unknown)."""
    return distance.diff().fill_null(0.0).rolling_mean(5, center=True, min_samples=1)


def _window_for_noise(v: pl.Expr, sigma: pl.Expr, params: GradeFilter) -> pl.Expr:
    """The window (m) at local speed ``v`` over which altitude noise ``sigma`` moves the slope
    by ``target_noise_pct`` (see :func:`window_expr`)."""
    target = params.target_noise_pct / 100.0
    return (12.0 * v * sigma * sigma / (target * target)).pow(1.0 / 3.0)


def _window(v: pl.Expr, for_noise: pl.Expr, params: GradeFilter) -> pl.Expr:
    return pl.max_horizontal(pl.lit(params.window_m), v * params.window_s, for_noise).clip(upper_bound=params.max_window_m)


def _noisy(v: pl.Expr, for_noise: pl.Expr, params: GradeFilter) -> pl.Expr:
    """Would the typical moving second need a window longer than ``max_window_m``? (False where
    no second moves, or the median is not a number: what a comparison in Python says.)"""
    median = for_noise.filter(v >= 0.5).median()
    return (median.is_not_nan() & (median > params.max_window_m)).fill_null(False)


def window_expr(params: GradeFilter) -> pl.Expr:
    """The slope window (m) of every second: at least ``window_m``, at least ``window_s`` of
    travel, and long enough that the measured noise moves the slope by less than
    ``target_noise_pct`` (a least-squares slope through n samples spread over L metres has a
    standard error of sigma * sqrt(12 / (n L^2)); with n = L / step that is
    sigma * sqrt(12 step / L^3))."""
    v = _local_speed()
    return _window(v, _window_for_noise(v, altitude_noise_m(params.min_noise_m), params), params)


def too_noisy(frame: pl.DataFrame, params: GradeFilter) -> bool:
    """Would the typical moving second need a window longer than ``max_window_m``?"""
    staged = with_stages(frame.lazy(), _altitude_exprs(params)[:_NOISE_STAGES])
    return bool(collect(staged.select(_noisy(pl.col("_v"), pl.col("_for_noise"), params))).item())


def grade_expr(source: GradeSource, params: GradeFilter) -> pl.Expr:
    """Expression for ``grade_pct`` (%) on a 1 Hz frame, given the session's source.

    Device grades are carried forward over missing seconds (an incline holds until changed).
    """
    if source is GradeSource.RECORD_GRADE:
        return pl.col("grade_pct").forward_fill().backward_fill()
    if source is GradeSource.DEVELOPER_INCLINE:
        return pl.col("incline_pct").forward_fill().backward_fill()
    if source is GradeSource.ALTITUDE:
        return pl.col("_altitude_grade")  # computed by altitude_grade() beforehand
    return pl.lit(None, dtype=pl.Float64)


#: Slower than this between distance updates at most a minute apart is standing still (m/s).
STANDING_SPEED_MPS = 0.5
STANDING_INTERVAL_S = 60


def altitude_grade(frame: pl.DataFrame, params: GradeFilter) -> pl.Series:
    """Grade (%) from ``altitude_m`` and ``distance_m`` of a frame whose rows are one second apart.

    For each second: the least-squares slope of altitude on distance over the samples whose
    distance lies within half a window of its own (:func:`window_expr`: 30 m at walking pace,
    longer when fast or when the altitude is noisy); zero where it lies within
    ``significance_z`` standard errors of zero; null (then the previous value, for up to
    ``hold_s`` seconds) where the window spans less than ``min_span_fraction`` of its length
    (standing still) or has fewer than 3 altitudes, or the slope exceeds ``max_abs_pct``; then a
    centred rolling mean over ``rolling_samples`` seconds. Holding a value for a bounded time
    keeps every grade a function of its own minute of data.

    Computed in stages, each stage's columns once: the window bounds feed five running sums.
    """
    if "ts_utc" not in frame.columns:  # a bare profile: one row a second
        frame = frame.with_columns(
            (pl.lit(datetime(2000, 1, 1, tzinfo=UTC)) + pl.duration(seconds=pl.int_range(pl.len()))).alias("ts_utc")
        )
    graded = with_stages(frame.lazy(), _altitude_exprs(params)[:_GRADE_STAGES])
    return collect(graded.select(pl.col("_altitude_grade").alias("grade_pct"))).to_series()


#: Is the athlete going anywhere, on the filled distance (for the altitude drift)?
_STANDING: Final = distance_advancing(STANDING_SPEED_MPS, STANDING_INTERVAL_S, _FILLED_DISTANCE, prefix="_standing")

#: The helper columns :func:`with_altitude_grade` adds (the caller drops them).
GRADE_HELPER_COLUMNS: Final[tuple[str, ...]] = (
    "_d", "_sigma", "_v", "_for_noise", *_STANDING.helpers, "_a", "_window", "_ok", "_lo", "_hi", "_x", "_y",
    "_n", "_sx", "_sy", "_sxx", "_sxy", "_span", "_altitude_grade", "_altitude_noisy",
)


def with_altitude_grade(query: pl.LazyFrame, params: GradeFilter) -> tuple[pl.LazyFrame, pl.Expr, pl.Expr]:
    """``query`` (a session whose source before the noise test is ``altitude``) with the
    stages of :func:`altitude_grade` and of the noise test in it, and the expressions for its
    ``grade_pct`` and ``grade_source``: the grade from altitude, or none where the altitude is
    too noisy (:func:`choose_grade_source`). One query instead of one for the test and one for
    the grade, sharing the distance, the local speed and the noise."""
    *stages, (grade, source) = _altitude_exprs(params)
    return with_stages(query, stages), grade, source


#: How many of :func:`_altitude_exprs`' stages the noise test needs, and the grade.
_NOISE_STAGES: Final = 3
_GRADE_STAGES: Final = 8 + len(_STANDING.stages)


@lru_cache(maxsize=16)
def _altitude_exprs(params: GradeFilter) -> tuple[Stage, ...]:
    """The stages of the grade from altitude, each a set of columns computed once from the ones
    before: the filled distance ``_d`` and the session's altitude noise ``_sigma`` (one value);
    the local speed ``_v``; the window that noise asks for, ``_for_noise``; whether the distance
    advances (:data:`_STANDING`); the altitude without drift and the window; the window bounds;
    five running sums; ``_altitude_grade``; then the noise test ``_altitude_noisy``; last, the
    ``grade_pct`` and ``grade_source`` expressions of :func:`with_altitude_grade`. The same for every session of a config, so built once."""
    d = pl.col("_d")
    # Standing still, the ground under the athlete does not change: what the altitude does
    # meanwhile (a barometer settling, the weather, a lift) is taken out of the profile.
    standing = (d.diff().fill_null(0.0) <= 0) & ~_STANDING.expr.fill_null(False)
    drift = pl.when(standing).then(pl.col("altitude_m").diff()).otherwise(0.0).fill_null(0.0).cum_sum()
    lo, hi = pl.col("_lo"), pl.col("_hi")

    def window_sum(values: pl.Expr, name: str) -> pl.Expr:
        cum = values.cum_sum()
        return (cum.gather(hi) - cum.gather(lo) + values.gather(lo)).alias(name)

    x, y = pl.col("_x"), pl.col("_y")
    n, sx, sy, sxx, sxy = (pl.col(c) for c in ("_n", "_sx", "_sy", "_sxx", "_sxy"))
    denominator = n * sxx - sx * sx
    slope = (n * sxy - sx * sy) / denominator * 100.0
    # A slope within noise of zero is zero: its standard error is sigma * sqrt(n / denominator).
    standard_error = pl.col("_sigma") * (n / denominator).sqrt() * 100.0
    slope = pl.when(slope.abs() >= params.significance_z * standard_error).then(slope).otherwise(0.0)
    valid = (
        (pl.col("_span") >= params.min_span_fraction * pl.col("_window"))
        & (n >= 3)
        & (denominator > 0)
        & (slope.abs() <= params.max_abs_pct)
    )
    raw = pl.when(valid).then(slope).otherwise(None)
    grade = (
        raw.forward_fill(limit=params.hold_s)
        .backward_fill(limit=params.hold_s)
        .rolling_mean(window_size=params.rolling_samples, center=True, min_samples=1)
    )
    noisy = pl.col("_altitude_noisy")
    return (
        (_FILLED_DISTANCE.alias("_d"), altitude_noise_m(params.min_noise_m).alias("_sigma")),
        (_local_speed(d).alias("_v"),),
        (_window_for_noise(pl.col("_v"), pl.col("_sigma"), params).alias("_for_noise"),),
        *_STANDING.stages,
        ((pl.col("altitude_m") - drift).alias("_a"), _window(pl.col("_v"), pl.col("_for_noise"), params).alias("_window")),
        # Only points where the distance advanced: a stack of points at one distance is one point.
        ((pl.col("_a").is_not_null() & d.is_not_null() & (d.diff().fill_null(1.0) > 0)).alias("_ok"),),
        (
            d.search_sorted(d - pl.col("_window") / 2.0, side="left").alias("_lo"),
            (d.search_sorted(d + pl.col("_window") / 2.0, side="right") - 1).alias("_hi"),
            pl.when(pl.col("_ok")).then(d - d.first()).otherwise(0.0).alias("_x"),
            pl.when(pl.col("_ok")).then(pl.col("_a")).otherwise(0.0).alias("_y"),
        ),
        (
            window_sum(pl.col("_ok").cast(pl.Float64), "_n"),
            window_sum(x, "_sx"),
            window_sum(y, "_sy"),
            window_sum(x * x, "_sxx"),
            window_sum(x * y, "_sxy"),
            (d.gather(hi) - d.gather(lo)).alias("_span"),
        ),
        (grade.alias("_altitude_grade"),),
        (_noisy(pl.col("_v"), pl.col("_for_noise"), params).alias("_altitude_noisy"),),
        (
            pl.when(noisy).then(pl.lit(None, dtype=pl.Float64)).otherwise(pl.col("_altitude_grade")),
            pl.when(noisy).then(pl.lit(GradeSource.ALTITUDE_NOISY.value)).otherwise(pl.lit(GradeSource.ALTITUDE.value)),
        ),
    )
