"""Per-second movement patterns, their posterior share ``p``, and the loads that follow.

Each moving second gets one pattern. ``p`` is the share of that second's lower-limb load
credited to hip extension (hamstrings, glutes); the rest goes to the knee extensors (quads).

Load per second: ``L = IF^2 * dt / 36`` (an hour at IF 1 is 100). Fast running gets a hamstring
multiplier ``h`` on its posterior part only: ``PL = p * h * L``, ``QL = (1 - p) * L``. So the
*total load* of the model is defined as ``PL + QL = (1 + p * (h - 1)) * L``: what ``h`` adds to
(or, between 70 % and 90 % of vmax where h < 1, takes from) the hamstrings is added to (taken
from) the total, rather than being taken from the quads. With ``h = 1`` (everything below 70 %
of vmax) it is plain ``L``. The ``load`` column holds ``L``; its sum is the workout's
``training_load``, and ``posterior_load + quad_load`` is its ``total_load``.

Seconds that carry no lower-limb cardio load get ``p`` null and zero loads: ``REST`` (not
moving), ``STRENGTH`` (the sets are counted separately) and ``OTHER`` (swimming, paddling,
skiing, yoga, unknown sports).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

import polars as pl

from .config import AthleteProfile, ModelParams, Thresholds
from .derive import SessionKind
from .gait import steps_per_minute
from .sports import Activity


class Pattern(StrEnum):
    DOWNHILL = "DOWNHILL"
    WALK_FLAT = "WALK_FLAT"
    WALK_INCLINE = "WALK_INCLINE"
    WALK_STEEP = "WALK_STEEP"
    RUN_EASY = "RUN_EASY"
    RUN_UPHILL = "RUN_UPHILL"
    HSR = "HSR"
    SPRINT = "SPRINT"
    HILL_SPRINT = "HILL_SPRINT"
    ROW = "ROW"
    STAIR = "STAIR"
    ELLIPTICAL = "ELLIPTICAL"
    BIKE = "BIKE"
    REST = "REST"
    STRENGTH = "STRENGTH"
    OTHER = "OTHER"


#: Patterns without lower-limb cardio load.
UNLOADED: Final[frozenset[Pattern]] = frozenset({Pattern.REST, Pattern.STRENGTH, Pattern.OTHER})
#: Patterns that make a sprint effort.
SPRINTS: Final[frozenset[Pattern]] = frozenset({Pattern.SPRINT, Pattern.HILL_SPRINT})
#: Patterns of running at or above high speed.
FAST: Final[frozenset[Pattern]] = frozenset({Pattern.HSR, Pattern.SPRINT, Pattern.HILL_SPRINT})
#: Order used wherever patterns are listed (tables, reasons): the order of the model table.
ORDER: Final[tuple[Pattern, ...]] = tuple(Pattern)

_MACHINE_PATTERN: Final[dict[Activity, Pattern]] = {
    Activity.ROW: Pattern.ROW,
    Activity.STAIR: Pattern.STAIR,
    Activity.ELLIPTICAL: Pattern.ELLIPTICAL,
    Activity.BIKE: Pattern.BIKE,
    Activity.STRENGTH: Pattern.STRENGTH,
    Activity.OTHER: Pattern.OTHER,
}


def consecutive_run_id(flag: pl.Expr) -> pl.Expr:
    """An id per run of equal ``flag`` values over consecutive seconds (a gap starts a new run)."""
    new_second = pl.col("ts_utc").diff().dt.total_seconds().fill_null(1) != 1
    changed = (flag != flag.shift(1)).fill_null(True)
    return (changed | new_second).cum_sum()


def run_length(flag: pl.Expr) -> pl.Expr:
    """Length in rows of the run of consecutive seconds each row belongs to."""
    return pl.len().over(consecutive_run_id(flag))


def pattern_expr(kind: SessionKind, profile: AthleteProfile, model: ModelParams) -> pl.Expr:
    """The pattern of every second (needs ``moving``, ``speed_mps``, ``grade_pct``)."""
    if kind.activity in _MACHINE_PATTERN:
        return (
            pl.when(pl.col("moving"))
            .then(pl.lit(_MACHINE_PATTERN[kind.activity].value))
            .otherwise(pl.lit(Pattern.REST.value))
            .alias("pattern")
        )
    t = model.thresholds
    vmax = profile.vmax_mps
    v = pl.col("speed_mps")
    g = pl.col("grade_pct").fill_null(0.0)  # unknown grade: no incline credit
    hill_candidate = (
        pl.col("moving")
        & (g >= t.hill_sprint_min_grade_pct)
        & (v >= t.hill_sprint_vmax_fraction * vmax)
    ).fill_null(False)
    hill_sprint = hill_candidate & (run_length(hill_candidate) >= t.hill_sprint_sustain_s)
    uphill_below_hill_sprint = (g >= t.run_uphill_min_grade_pct) & (v < t.hill_sprint_vmax_fraction * vmax)

    walking = (
        pl.when(g >= t.walk_steep_min_grade_pct)
        .then(pl.lit(Pattern.WALK_STEEP.value))
        .when(g >= t.walk_incline_min_grade_pct)
        .then(pl.lit(Pattern.WALK_INCLINE.value))
        .otherwise(pl.lit(Pattern.WALK_FLAT.value))
    )
    running = (
        pl.when(g >= t.run_uphill_min_grade_pct)
        .then(pl.lit(Pattern.RUN_UPHILL.value))
        .otherwise(pl.lit(Pattern.RUN_EASY.value))
    )
    return (
        pl.when(~pl.col("moving"))
        .then(pl.lit(Pattern.REST.value))
        .when(hill_sprint)
        .then(pl.lit(Pattern.HILL_SPRINT.value))
        .when(v >= t.sprint_vmax_fraction * vmax)
        .then(pl.lit(Pattern.SPRINT.value))
        .when((v >= t.hsr_vmax_fraction * vmax) & ~uphill_below_hill_sprint)
        .then(pl.lit(Pattern.HSR.value))
        .when(g <= t.downhill_max_grade_pct)
        .then(pl.lit(Pattern.DOWNHILL.value))
        .when(walking_gait(t))
        .then(walking)
        .when(v.is_null() & pl.lit(kind.walking))  # no speed: the sport says walk or run
        .then(walking)
        .otherwise(running)
        .alias("pattern")
    )


def walking_gait(t: Thresholds) -> pl.Expr:
    """Is this second walked rather than run? The cadence decides where the file has one
    (:mod:`.gait`); the speed where it has not."""
    spm = steps_per_minute()
    return pl.when(spm.is_not_null()).then(spm < t.run_min_cadence_spm).otherwise(pl.col("speed_mps") < t.walk_run_speed_mps)


def share_expr(kind: SessionKind, model: ModelParams) -> pl.Expr:
    """``p`` of every second from its pattern (null where no load is credited)."""
    p = model.p
    shares = {
        Pattern.DOWNHILL: p.downhill,
        Pattern.WALK_FLAT: p.walk_flat,
        Pattern.WALK_INCLINE: p.walk_incline,
        Pattern.WALK_STEEP: p.walk_steep,
        Pattern.RUN_EASY: p.run_easy,
        Pattern.HSR: p.hsr,
        Pattern.SPRINT: p.sprint,
        Pattern.HILL_SPRINT: p.hill_sprint,
        Pattern.ROW: p.row,
        Pattern.STAIR: p.stair,
        Pattern.ELLIPTICAL: p.elliptical_reverse if kind.reverse_elliptical else p.elliptical,
        Pattern.BIKE: p.bike,
    }
    uphill = (p.run_uphill_base + p.run_uphill_per_pct * pl.col("grade_pct").fill_null(0.0)).clip(
        upper_bound=p.run_uphill_max
    )
    expr: pl.Expr = pl.when(pl.col("pattern") == Pattern.RUN_UPHILL.value).then(uphill)
    for pattern, share in shares.items():
        expr = expr.when(pl.col("pattern") == pattern.value).then(pl.lit(share))
    return expr.otherwise(pl.lit(None, dtype=pl.Float64)).cast(pl.Float64).alias("p")


def hamstring_expr(kind: SessionKind, profile: AthleteProfile, model: ModelParams) -> pl.Expr:
    """``h``: ``(v / (0.9 vmax))^2.6`` for moving seconds on foot at or above HSR speed, else 1."""
    if kind.activity is not Activity.ON_FOOT:
        return pl.lit(1.0).alias("h")
    vmax = profile.vmax_mps
    v = pl.col("speed_mps")
    fast = pl.col("moving") & (v >= model.thresholds.hsr_vmax_fraction * vmax)
    ratio = v / (model.hamstring.reference_vmax_fraction * vmax)
    return pl.when(fast).then(ratio.pow(model.hamstring.exponent)).otherwise(1.0).alias("h")


def maxv_expr(kind: SessionKind, profile: AthleteProfile, model: ModelParams) -> pl.Expr:
    """Is this second at or above ``maxv_vmax_fraction`` of vmax, on foot?"""
    if kind.activity is not Activity.ON_FOOT:
        return pl.lit(False).alias("maxv")
    threshold = model.thresholds.maxv_vmax_fraction * profile.vmax_mps
    return (pl.col("moving") & (pl.col("speed_mps") >= threshold)).fill_null(False).alias("maxv")


def load_exprs() -> list[pl.Expr]:
    """``load`` (L), ``posterior_load`` (p h L) and ``quad_load`` ((1 - p) L) per second."""
    loaded = pl.col("p").is_not_null()
    load = pl.when(loaded).then(pl.col("intensity_factor").pow(2) * pl.col("dt_s") / 36.0).otherwise(0.0)
    return [
        load.alias("load"),
        (load * pl.col("p").fill_null(0.0) * pl.col("h")).alias("posterior_load"),
        (load * (1.0 - pl.col("p").fill_null(0.0))).alias("quad_load"),
    ]


def classify_seconds(
    frame: pl.DataFrame, kind: SessionKind, profile: AthleteProfile, model: ModelParams
) -> pl.DataFrame:
    """Add ``pattern``, ``p``, ``h``, ``maxv`` and the three loads to a derived-signal frame."""
    frame = frame.with_columns(pattern_expr(kind, profile, model))
    frame = frame.with_columns(
        share_expr(kind, model), hamstring_expr(kind, profile, model), maxv_expr(kind, profile, model)
    )
    return frame.with_columns(load_exprs())
