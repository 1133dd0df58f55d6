"""Signals derived per second from the 1 Hz grid: speed, distance, grade, moving, intensity.

Input is a 1 Hz frame with the columns of :data:`SIGNAL_COLUMNS` (the output of
:func:`~hamflow.model.regularise.regularise`, or stored samples mapped back by
:func:`~hamflow.model.classify.reclassify`). :func:`complete_signals` fills what one channel
gives for another; the quality screen (:mod:`.quality`) then masks what no sensor can have
measured; :func:`derive_signals` adds grade, moving and intensity to what is left. Everything
is a column expression over the frame; the only decisions taken for the session as a whole are
which channels carry information (:func:`drop_dead_channels`), whether a generic session is a
row (:func:`recognise_rowing`) and where the grade comes from.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import polars as pl

from .config import AthleteProfile, ModelParams, RowingDetection
from .grade import GRADE_HELPER_COLUMNS, GradeSource, choose_grade_source, grade_expr, with_altitude_grade
from .intensity import intensity_exprs
from .motion import Stage, distance_advancing, with_stages
from .query import Steps, collect, run_alone
from .regularise import VALUE_COLUMNS
from .sports import Activity, activity_of, is_indoor, is_reverse_elliptical

#: The regularised grid's columns: time, step, and the sensor values.
SIGNAL_COLUMNS: Final[tuple[str, ...]] = ("ts_utc", "dt_s", *VALUE_COLUMNS)

#: Walking sports: seconds without a speed are walked, not run.
_WALKING_SPORTS: Final[frozenset[str]] = frozenset({"walking", "hiking", "mountaineering", "snowshoeing"})
#: Machines whose motion shows in power or cadence rather than speed.
_MACHINES: Final[frozenset[Activity]] = frozenset({Activity.ROW, Activity.ELLIPTICAL, Activity.STAIR})


@dataclass(frozen=True, slots=True)
class SessionKind:
    """What the model needs to know about a session besides its samples."""

    sport: str
    sub_sport: str | None
    activity: Activity
    indoor: bool
    walking: bool
    reverse_elliptical: bool
    #: Why the activity differs from what the sport field says (rowing recognised from the data).
    recognised: str | None = None

    @classmethod
    def of(cls, sport: str, sub_sport: str | None, *, reverse_elliptical: bool = False) -> SessionKind:
        return cls(
            sport=sport,
            sub_sport=sub_sport,
            activity=activity_of(sport, sub_sport),
            indoor=is_indoor(sport, sub_sport),
            walking=(sport or "").lower() in _WALKING_SPORTS
            or (sub_sport or "").lower() in ("indoor_walking", "casual_walking", "speed_walking"),
            reverse_elliptical=reverse_elliptical or is_reverse_elliptical(sub_sport),
        )


def recognise_rowing(kind: SessionKind, frame: pl.DataFrame, params: RowingDetection) -> SessionKind:
    """A session filed under a generic sport that moves like a boat or an erg is a row.

    On-water speed coaches and some erg apps write ``sport = generic``: without this the
    session would carry no load. The signature is a stroke rate (cadence) of 14-48 a minute with
    a boat or erg speed of 1.5-7 m/s over most moving seconds: walking is 50-65 strides a minute,
    running 75-100, pedalling 60-110 rpm, so none of them passes for rowing.
    """
    return run_alone(recognise_rowing_steps(kind, frame, params))


def recognise_rowing_steps(kind: SessionKind, frame: pl.DataFrame, params: RowingDetection) -> Steps[SessionKind]:
    """:func:`recognise_rowing` as :data:`~.query.Steps` (so that a batch's sessions run it in step)."""
    if kind.activity is not Activity.OTHER or (kind.sport or "generic").lower() not in ("generic", "fitness_equipment"):
        return kind
    if kind.sub_sport not in (None, "generic") or frame.is_empty():
        return kind
    c, v = pl.col("cadence"), pl.col("speed_mps")
    stroke = (c >= params.min_stroke_rate_spm) & (c <= params.max_stroke_rate_spm)
    boat = (v >= params.min_speed_mps) & (v <= params.max_speed_mps)
    # The moving seconds' count, stroke share and medians in one query.
    moving = (v >= 0.5) | (c > 0)
    seconds, share, rate, speed = (
        yield frame.lazy().select(
            moving.sum().alias("seconds"), (stroke & boat).filter(moving).fill_null(False).mean().alias("share"),
            c.filter(moving).median().alias("rate"), v.filter(moving).median().alias("speed"),
        )
    ).row(0)
    if seconds < 60 or share is None or share < params.min_fraction:
        return kind
    reason = (
        f"recognised as rowing from the data (sport '{kind.sport}'): a stroke rate of {rate:.0f} a minute "
        f"at {speed:.1f} m/s over {100 * share:.0f} % of the moving time"
    )
    return dataclasses.replace(kind, activity=Activity.ROW, recognised=reason)


def complete_signals(frame: pl.DataFrame) -> pl.DataFrame:
    """Fill what the device left out but the other channels give: dead channels emptied, the
    distance from the speed when the file has no distance, the speed from the distance when it
    has no speed. Nothing is judged here: the quality screen looks at the completed signals."""
    return run_alone(complete_signals_steps(frame))


def complete_signals_steps(frame: pl.DataFrame) -> Steps[pl.DataFrame]:
    """:func:`complete_signals` as :data:`~.query.Steps` (so that a batch's sessions run it in step)."""
    if frame.is_empty():
        return frame.with_columns(pl.col("distance_m")).with_columns(_speed())
    # What decides which channels are dead and where the distance comes from, in one select;
    # then one query for the completed frame (each step as an eager call is a query of its own).
    found = (yield frame.lazy().select(_CHANNEL_FACTS)).row(0, named=True)
    dead = _dead_channels(found)
    distance = pl.col("distance_m")
    speed_known = "speed_mps" not in dead and found["speed_nulls"] < frame.height
    if ("distance_m" in dead or found["distance_nulls"] == frame.height) and speed_known:
        distance = (pl.col("speed_mps").fill_null(0.0) * pl.col("dt_s")).cum_sum()
    return (
        yield frame.lazy()
        .with_columns([pl.lit(None, dtype=pl.Float64).alias(c) for c in dead])
        .with_columns(distance.alias("distance_m"))
        .with_columns(_speed())
    )


def derive_signals(
    frame: pl.DataFrame,
    kind: SessionKind,
    profile: AthleteProfile,
    model: ModelParams,
    *,
    keep_grade: GradeSource | None = None,
) -> pl.DataFrame:
    """Add ``grade_pct``/``grade_source``, ``moving``, ``intensity_factor`` and
    ``intensity_source`` to a completed and screened 1 Hz signal frame.

    ``keep_grade`` keeps the frame's ``grade_pct`` as it is, under that source (stored samples
    whose grade cannot or need not be derived again).
    """
    return collect(derive_query(frame, kind, profile, model, keep_grade=keep_grade))


def derive_query(
    frame: pl.DataFrame,
    kind: SessionKind,
    profile: AthleteProfile,
    model: ModelParams,
    *,
    keep_grade: GradeSource | None = None,
) -> pl.LazyFrame:
    """:func:`derive_signals` as a query not yet run (so that a batch's sessions can be run
    together: ``query.collect_all``)."""
    query = frame.lazy()
    if keep_grade is not None:
        grade, source = pl.col("grade_pct"), pl.lit(keep_grade.value)
    else:
        indoor = kind.indoor or frame.get_column("altitude_m").null_count() == frame.height
        params = model.grade.on_foot() if kind.activity is Activity.ON_FOOT else model.grade
        chosen = choose_grade_source(frame, indoor=indoor)  # the noise test, if needed, below
        if chosen is GradeSource.ALTITUDE:
            # The grade from altitude, and whether the altitude is too noisy for one, in this
            # query: they share their stages.
            query, grade, source = with_altitude_grade(query, params)
        else:
            grade, source = grade_expr(chosen, params), pl.lit(chosen.value)
    (moving_stages, moving, moving_helpers), intensity = _derived_exprs(kind, profile, model)
    # Intensity reads the grade and the moving flag: two steps of one query.
    return (
        with_stages(query, moving_stages)
        .with_columns(grade.cast(pl.Float64).alias("grade_pct"), source.alias("grade_source"), moving)
        .with_columns(*intensity)
        .drop("incline_pct", *GRADE_HELPER_COLUMNS, *moving_helpers, strict=False)
    )


@lru_cache(maxsize=64)
def _derived_exprs(kind: SessionKind, profile: AthleteProfile, model: ModelParams) -> tuple[_Moving, tuple[pl.Expr, pl.Expr]]:
    """The ``moving`` expression (with the stages it reads) and the intensity expressions, built
    once per kind, profile and model (building them costs a good part of applying them to a
    session)."""
    indoor_erg = kind.activity is Activity.ROW and kind.indoor
    return _moving(kind, model), intensity_exprs(kind.activity, profile, model.intensity, indoor_erg=indoor_erg)


#: Channels a device may fill with zeros when no sensor is paired.
_ZERO_FILLED: Final[tuple[str, ...]] = ("speed_mps", "power_w", "cadence")


def drop_dead_channels(frame: pl.DataFrame) -> pl.DataFrame:
    """Empty the channels that carry no information in this session.

    Some devices write a field on every record whether or not a sensor is there: power 0 all
    ride long without a power meter, speed 0 on a treadmill run without a foot pod, a distance
    stuck at 0 on an erg. Taken at face value they say "not moving" or "no effort" while heart
    rate says otherwise. A speed, power or cadence that is never above zero in the whole session,
    or a distance that never advances, is treated as missing, so the next signal decides.
    """
    if frame.is_empty():
        return frame
    dead = _dead_channels(frame.select(_CHANNEL_FACTS).row(0, named=True))
    return frame.with_columns([pl.lit(None, dtype=pl.Float64).alias(c) for c in dead])


#: The scalars of a frame that say which channels are dead and whether it has a distance or speed.
_CHANNEL_FACTS: Final[tuple[pl.Expr, ...]] = (
    *[pl.col(c).max().alias(c) for c in _ZERO_FILLED],
    pl.col("distance_m").max().alias("distance_max"),
    pl.col("distance_m").min().alias("distance_min"),
    pl.col("distance_m").null_count().alias("distance_nulls"),
    pl.col("speed_mps").null_count().alias("speed_nulls"),
    pl.len().alias("rows"),
)


def _dead_channels(found: dict[str, Any]) -> list[str]:
    """The channels :func:`drop_dead_channels` empties, from the frame's :data:`_CHANNEL_FACTS`."""
    dead = [c for c in _ZERO_FILLED if not (found[c] or 0.0) > 0]
    if found["distance_nulls"] < found["rows"] and not (found["distance_max"] or 0.0) > (found["distance_min"] or 0.0):
        dead.append("distance_m")
    return dead


def _speed() -> pl.Expr:
    """Recorded speed, else distance change per second."""
    step_s = pl.col("ts_utc").diff().dt.total_seconds()
    from_distance = pl.when(step_s == 1).then(pl.col("distance_m").diff().clip(lower_bound=0.0))
    return pl.coalesce(pl.col("speed_mps"), from_distance).alias("speed_mps")


#: The ``moving`` expression: the stages of helper columns to add first, the expression, and the
#: helper columns' names (to drop).
_Moving = tuple[tuple[Stage, ...], pl.Expr, tuple[str, ...]]


def _moving(kind: SessionKind, model: ModelParams) -> _Moving:
    """Is the athlete moving this second? The first signal that is present decides.

    On foot, on a bike and in other sports, the distance decides where the file has one: the
    second lies between two distance updates at most ``max_moving_gap_s`` apart over which the
    distance advanced at ``moving_speed_mps`` or more (devices that update their distance every
    few seconds repeat it in between, so a single second's change says little); then speed. On
    machines, power or cadence first (an erg flywheel can spin on after the last stroke). With
    none of them, heart rate present counts as moving, so a stair session with only heart rate
    is not lost.
    """
    v0 = model.thresholds.moving_speed_mps
    speed = pl.col("speed_mps") >= v0
    power = pl.col("power_w") > 0
    cadence = pl.col("cadence") > 0
    stages: tuple[Stage, ...] = ()
    helpers: tuple[str, ...] = ()
    if kind.activity in _MACHINES:
        order = [power, cadence, speed]
    else:
        advancing = distance_advancing(v0, model.sampling.max_moving_gap_s)
        stages, helpers = advancing.stages, advancing.helpers
        order = [advancing.expr, speed, power, cadence]
    return stages, pl.coalesce(*order, pl.col("heart_rate_bpm").is_not_null(), pl.lit(False)).alias("moving"), helpers
