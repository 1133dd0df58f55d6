"""One workout in numbers: loads, balance, class, sprint and leg-day verdicts.

Everything is summed from the classified seconds, so a summary can always be recomputed from
stored samples. The class rules (docs/model.md, "Workouts"):

- ``posterior``: a sprint session (>= 3 sprint efforts; configurable), or balance
  B = PL / (PL + QL) >= 0.55 with at least half of the loaded moving time in patterns with
  p >= 0.55;
- ``quad``: B <= 0.40;
- ``mixed``: anything between;
- ``unclassified``: no lower-limb cardio load to split (strength, swimming and other sports,
  or a file without moving data), or less than a minute of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

import polars as pl

from .config import ClassRules, ModelParams
from .derive import SessionKind
from .efforts import count_efforts
from .intensity import IntensitySource
from .patterns import HIGH_SPEED, LEG_DAY_MACHINES, ORDER, SPECS, SPRINTS, STANDING, Pattern, SessionCount, counted
from .quality import DeviceTotals
from .query import Steps
from .stable import stable_sum
from .strength import Movement


class WorkoutClass(StrEnum):
    POSTERIOR = "posterior"
    QUAD = "quad"
    MIXED = "mixed"
    UNCLASSIFIED = "unclassified"


class ClassRule(StrEnum):
    """Which rule decided the class (the reasons explain it in words)."""

    SPRINT_SESSION = "sprint_session"
    BALANCE_AND_TIME = "balance_and_time"
    POSTERIOR_SHARE_BUT_TIME = "posterior_share_but_time"
    QUAD_SHARE = "quad_share"
    BETWEEN = "between"
    NO_LOAD = "no_load"
    TOO_SHORT = "too_short"


@dataclass(frozen=True, slots=True)
class PatternTotal:
    pattern: str
    seconds: float
    posterior_load: float
    quad_load: float
    mean_p: float | None


@dataclass(frozen=True, slots=True)
class WorkoutSummary:
    """The verdict on one session, with the numbers behind it."""

    athlete_id: str | None
    session_index: int
    sport: str
    sub_sport: str | None
    start_utc: datetime | None
    duration_s: float
    moving_s: float
    distance_m: float | None
    grade_source: str
    #: Where most loaded seconds got their intensity: speed, power, erg_pace, heart_rate, nominal.
    intensity_source: str | None
    #: Sum of L = IF^2 dt / 36 over loaded seconds (TSS-like).
    training_load: float
    posterior_load: float
    quad_load: float
    #: ``posterior_load + quad_load``: L with the hamstring multiplier's change added.
    total_load: float
    #: Balance B = PL / (PL + QL); None without load.
    posterior_share: float | None
    #: sqrt(mean IF^2) over loaded moving seconds.
    session_if: float | None
    workout_class: str
    class_rule: str
    dominant_pattern: str | None
    sprint_efforts: int
    high_speed_efforts: int
    maxv_efforts: int
    is_sprint_session: bool
    is_leg_day: bool
    leg_day_rule: str | None
    is_incline_walk: bool
    is_rowing: bool
    #: Moving seconds in load-bearing patterns (the base of the time rule).
    loaded_s: float
    posterior_s: float
    quad_s: float
    hsr_distance_m: float
    sprint_distance_m: float
    maxv_s: float
    hard_if_s: float
    hip_extension_sets: int
    knee_extension_sets: int
    patterns: tuple[PatternTotal, ...]
    reasons: tuple[str, ...]
    model_version: str
    #: Gym categories worked, for the reasons (movement -> categories).
    set_categories: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: What the data-quality screen masked or distrusted, one sentence per check.
    quality_warnings: tuple[str, ...] = ()
    #: What the session message said (stored as the ``device_*`` columns).
    device: DeviceTotals = field(default_factory=DeviceTotals)

    @property
    def pattern_seconds(self) -> dict[str, float]:
        return {t.pattern: t.seconds for t in self.patterns}

    def to_row(self) -> dict[str, Any]:
        """The summary as a flat row (the ``workouts`` table's columns and a few more)."""
        skip = ("patterns", "set_categories", "device")
        row = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}
        row["reasons"] = list(self.reasons)
        row["quality_warnings"] = list(self.quality_warnings)
        row.update(
            device_elapsed_s=self.device.elapsed_s,
            device_timer_s=self.device.timer_s,
            device_distance_m=self.device.distance_m,
            device_max_speed_mps=self.device.max_speed_mps,
            device_max_power_w=self.device.max_power_w,
            device_ascent_m=self.device.total_ascent_m,
        )
        return row


_PATTERNS_SCHEMA: dict[str, pl.DataType] = {
    "pattern": pl.String(), "seconds": pl.Float64(), "posterior_load": pl.Float64(), "quad_load": pl.Float64(),
    "mean_p": pl.Float64(),
}


def pattern_totals(samples: pl.DataFrame) -> tuple[PatternTotal, ...]:
    """Seconds and loads per pattern present (REST included), in the model's pattern order.

    Each total is a plain sum over one column's filtered values, not a grouped aggregation, so
    its last bits do not depend on how the work was split between threads; a mean is that sum
    over the count, as a column's own mean is. One query for all patterns: a query per pattern
    would cost more than the sums.
    """
    order = _present(samples)
    return _totals_of(order, samples.select(*_pattern_sums(order)).row(0, named=True)) if order else ()


def _present(samples: pl.DataFrame) -> tuple[str, ...]:
    """The patterns of ``samples``, in the model's pattern order."""
    return _in_order(set(samples.get_column("pattern").unique().to_list()) if samples.height else set())


def _in_order(present: set[str]) -> tuple[str, ...]:
    """The patterns of ``present``, in the model's pattern order."""
    return tuple(p.value for p in ORDER if p.value in present)


def _totals_of(order: tuple[str, ...], sums: dict[str, Any]) -> tuple[PatternTotal, ...]:
    """The :class:`PatternTotal` of each pattern of ``order`` from its :func:`_pattern_sums`."""
    return tuple(
        PatternTotal(p, sums[f"{p}.dt_s"], sums[f"{p}.posterior_load"], sums[f"{p}.quad_load"],
                     sums[f"{p}.p"] / sums[f"{p}.n"] if sums[f"{p}.n"] else None)
        for p in order
    )


@lru_cache(maxsize=256)
def _pattern_sums(order: tuple[str, ...]) -> tuple[pl.Expr, ...]:
    """:func:`pattern_totals`' sums for the patterns in ``order`` (built once per set of patterns)."""
    columns = ("dt_s", "posterior_load", "quad_load")
    return (
        *[pl.col(c).filter(pl.col("pattern") == p).sum().alias(f"{p}.{c}") for p in order for c in (*columns, "p")],
        *[pl.col("p").filter(pl.col("pattern") == p).count().alias(f"{p}.n") for p in order],
    )


def patterns_frame(totals: tuple[PatternTotal, ...]) -> pl.DataFrame:
    """The ``workout_patterns`` rows of a session's pattern totals."""
    return pl.DataFrame([(t.pattern, t.seconds, t.posterior_load, t.quad_load, t.mean_p) for t in totals],
                        schema=_PATTERNS_SCHEMA, orient="row")


def decide_class(
    *,
    total_load: float,
    share: float | None,
    loaded_s: float,
    posterior_time_fraction: float,
    is_sprint_session: bool,
    rules: ClassRules,
) -> tuple[WorkoutClass, ClassRule]:
    """The workout class and the rule that decided it."""
    if total_load <= 0 or share is None:
        return WorkoutClass.UNCLASSIFIED, ClassRule.NO_LOAD
    if loaded_s < rules.min_loaded_s:
        return WorkoutClass.UNCLASSIFIED, ClassRule.TOO_SHORT
    if is_sprint_session and rules.sprint_session_is_posterior:
        return WorkoutClass.POSTERIOR, ClassRule.SPRINT_SESSION
    if share >= rules.posterior_min_share:
        if posterior_time_fraction >= rules.posterior_min_time_fraction:
            return WorkoutClass.POSTERIOR, ClassRule.BALANCE_AND_TIME
        return WorkoutClass.MIXED, ClassRule.POSTERIOR_SHARE_BUT_TIME
    if share <= rules.quad_max_share:
        return WorkoutClass.QUAD, ClassRule.QUAD_SHARE
    return WorkoutClass.MIXED, ClassRule.BETWEEN


@lru_cache(maxsize=16)
def _totals_exprs(model: ModelParams) -> tuple[pl.Expr, ...]:
    """The session totals :func:`summarise` reads, as one select: the same for every session of
    a model config, so built once."""
    classes = model.classes
    moving = pl.col("moving")
    loaded = moving & pl.col("p").is_not_null()
    dt = pl.col("dt_s")
    speed_dt = pl.col("speed_mps").fill_null(0.0) * dt
    machines = pl.col("pattern").is_in([p.value for p in LEG_DAY_MACHINES])
    return (
        dt.sum().alias("seconds"),
        dt.filter(moving).sum().alias("moving_s"),
        dt.filter(loaded).sum().alias("loaded_s"),
        pl.col("load").sum().alias("training_load"),
        pl.col("posterior_load").sum(),
        pl.col("quad_load").sum(),
        (pl.col("intensity_factor").pow(2) * dt).filter(loaded).sum().alias("if2_s"),
        dt.filter(loaded & (pl.col("p") >= classes.posterior_pattern_min_p)).sum().alias("posterior_s"),
        dt.filter(loaded & (pl.col("p") <= classes.quad_pattern_max_p)).sum().alias("quad_s"),
        speed_dt.filter(pl.col("pattern").is_in([p.value for p in HIGH_SPEED])).sum().alias("hsr_distance_m"),
        speed_dt.filter(pl.col("pattern").is_in([p.value for p in SPRINTS])).sum().alias("sprint_distance_m"),
        dt.filter(pl.col("maxv")).sum().alias("maxv_s"),
        dt.filter(loaded & machines & (pl.col("intensity_factor") >= model.leg_day.hard_if)).sum().alias("hard_if_s"),
        speed_dt.sum().alias("speed_distance_m"),
        pl.col("speed_mps").is_not_null().any().alias("has_speed"),
        pl.col("ts_utc").min().alias("first_ts"),
        (pl.col("ts_utc").max() - pl.col("ts_utc").min()).dt.total_seconds().alias("span_s"),
        pl.col("distance_m").max().alias("d_max"),
        pl.col("distance_m").min().alias("d_min"),
    )


def summarise_steps(
    samples: pl.DataFrame,
    effort_frame: pl.DataFrame,
    sets: pl.DataFrame,
    *,
    kind: SessionKind,
    model: ModelParams,
    model_version: str,
    athlete_id: str | None,
    session_index: int,
    start_utc: datetime | None,
    elapsed_s: float | None,
    session_distance_m: float | None,
    device: DeviceTotals | None = None,
    quality_warnings: tuple[str, ...] = (),
) -> Steps[WorkoutSummary]:
    """Sum a classified samples frame into a :class:`WorkoutSummary` (reasons left empty), as
    :data:`~.query.Steps` (so that a batch's sessions are summed in step)."""
    classes = model.classes
    # The patterns present, then the session totals, the pattern totals and the intensity
    # sources' time in one query.
    present = set((yield samples.lazy().select(pl.col("pattern").unique())).get_column("pattern").to_list())
    order = _in_order(present)
    t = (yield samples.lazy().select(*_totals_exprs(model), *_pattern_sums(order), *_source_sums())).row(0, named=True)
    patterns = _totals_of(order, t)
    pl_sum = float(t["posterior_load"] or 0.0)
    ql_sum = float(t["quad_load"] or 0.0)
    total = pl_sum + ql_sum
    share = pl_sum / total if total > 0 else None
    loaded_s = float(t["loaded_s"] or 0.0)
    session_if = math.sqrt(t["if2_s"] / loaded_s) if loaded_s > 0 else None
    posterior_s = float(t["posterior_s"] or 0.0)
    posterior_fraction = posterior_s / loaded_s if loaded_s > 0 else 0.0

    sprint_efforts = count_efforts(effort_frame, "sprint")
    is_sprint = sprint_efforts >= classes.sprint_session_min_efforts
    workout_class, rule = decide_class(
        total_load=total,
        share=share,
        loaded_s=loaded_s,
        posterior_time_fraction=posterior_fraction,
        is_sprint_session=is_sprint,
        rules=classes,
    )

    hip_sets, knee_sets = _sets_of(sets, Movement.HIP_EXTENSION), _sets_of(sets, Movement.KNEE_EXTENSION)
    hard_if_s = float(t["hard_if_s"] or 0.0)
    leg_day_rule = _leg_day_rule(
        kind, model, is_sprint=is_sprint, hard_if_s=hard_if_s, session_if=session_if,
        loaded_s=loaded_s, lower_body_sets=hip_sets + knee_sets,
    )
    counted_s = {count: _seconds_in(patterns, counted(count)) for count in SessionCount}

    distance = session_distance_m
    if distance is None and t["d_max"] is not None:
        distance = float(t["d_max"] - t["d_min"])
    if distance is None and t["has_speed"]:
        distance = float(t["speed_distance_m"])
    duration = elapsed_s if elapsed_s is not None else float((t["span_s"] or 0.0) + (1.0 if samples.height else 0.0))

    grade_source = samples.get_column("grade_source")[0] if samples.height else "none"
    intensity_source = _main_source(t) if samples.height else None
    return WorkoutSummary(
        athlete_id=athlete_id,
        session_index=session_index,
        sport=kind.sport,
        sub_sport=kind.sub_sport,
        start_utc=start_utc if start_utc is not None else t["first_ts"],
        duration_s=float(duration),
        moving_s=float(t["moving_s"] or 0.0),
        distance_m=distance,
        grade_source=grade_source,
        intensity_source=intensity_source,
        training_load=float(t["training_load"] or 0.0),
        posterior_load=pl_sum,
        quad_load=ql_sum,
        total_load=total,
        posterior_share=share,
        session_if=session_if,
        workout_class=workout_class.value,
        class_rule=rule.value,
        dominant_pattern=_dominant(patterns),
        sprint_efforts=sprint_efforts,
        high_speed_efforts=count_efforts(effort_frame, "high_speed"),
        maxv_efforts=count_efforts(effort_frame, "maxv"),
        is_sprint_session=is_sprint,
        is_leg_day=leg_day_rule is not None,
        leg_day_rule=leg_day_rule,
        is_incline_walk=counted_s[SessionCount.INCLINE_WALK] >= model.sessions.incline_walk_min_s,
        is_rowing=counted_s[SessionCount.ROWING] >= model.sessions.rowing_min_s,
        loaded_s=loaded_s,
        posterior_s=posterior_s,
        quad_s=float(t["quad_s"] or 0.0),
        hsr_distance_m=float(t["hsr_distance_m"] or 0.0),
        sprint_distance_m=float(t["sprint_distance_m"] or 0.0),
        maxv_s=float(t["maxv_s"] or 0.0),
        hard_if_s=hard_if_s,
        hip_extension_sets=hip_sets,
        knee_extension_sets=knee_sets,
        patterns=patterns,
        reasons=(),
        model_version=model_version,
        set_categories=_set_categories(sets),
        quality_warnings=quality_warnings,
        device=device if device is not None else DeviceTotals(),
    )


def _leg_day_rule(
    kind: SessionKind,
    model: ModelParams,
    *,
    is_sprint: bool,
    hard_if_s: float,
    session_if: float | None,
    loaded_s: float,
    lower_body_sets: int,
) -> str | None:
    """Why this session is a leg-day equivalent, or None when it is not."""
    rules = model.leg_day
    if is_sprint:
        return "sprint_session"
    if kind.activity in {SPECS[p].activity for p in LEG_DAY_MACHINES}:
        if hard_if_s >= rules.hard_min_s:
            return "hard_minutes"
        if session_if is not None and session_if >= rules.session_if and loaded_s >= rules.session_min_s:
            return "sustained_session"
    if lower_body_sets > 0:
        return "lower_body_sets"
    return None


def _dominant(patterns: tuple[PatternTotal, ...]) -> str | None:
    """The pattern with the most load; without load, the one with the most seconds (not REST)."""
    loaded = [p for p in patterns if p.posterior_load + p.quad_load > 0]
    if loaded:
        return max(loaded, key=lambda p: (p.posterior_load + p.quad_load, -ORDER.index(Pattern(p.pattern)))).pattern
    moving = [p for p in patterns if p.pattern != STANDING.value and p.seconds > 0]
    if moving:
        return max(moving, key=lambda p: (p.seconds, -ORDER.index(Pattern(p.pattern)))).pattern
    return None


def _seconds_in(patterns: tuple[PatternTotal, ...], chosen: tuple[Pattern, ...]) -> float:
    """Seconds spent in any of ``chosen`` patterns."""
    seconds = {p.pattern: p.seconds for p in patterns}
    return sum((seconds.get(p.value, 0.0) for p in chosen), 0.0)


def _sets_of(sets: pl.DataFrame, movement: Movement) -> int:
    """How many of the sets train ``movement`` (cardio sessions have none: no query to count them)."""
    return sets.filter(pl.col("movement") == movement.value).height if sets.height else 0


@lru_cache(maxsize=1)
def _source_sums() -> tuple[pl.Expr, ...]:
    """Per intensity source, its loaded moving seconds (summed in row order, as a group of a
    group-by sums them) and how many there are: what :func:`_main_source` chooses from."""
    loaded = pl.col("moving") & pl.col("p").is_not_null()
    out: list[pl.Expr] = []
    for source in IntensitySource:
        mine = loaded & (pl.col("intensity_source") == source.value)
        out += [stable_sum(pl.col("dt_s").filter(mine)).alias(f"{source.value}.source_s"),
                pl.col("dt_s").filter(mine).len().alias(f"{source.value}.source_n")]
    return (*out, pl.col("intensity_source").filter(loaded).len().alias("source_n"))


def _main_source(t: dict[str, Any]) -> str | None:
    """The intensity source of most loaded seconds (ties: the first by name); None without any.
    ``t``: the session's :func:`_source_sums`. Every second has one of the sources the model
    gives (:class:`IntensitySource`)."""
    present = [(s.value, float(t[f"{s.value}.source_s"])) for s in IntensitySource if t[f"{s.value}.source_n"]]
    if sum(t[f"{s.value}.source_n"] for s in IntensitySource) != t["source_n"]:
        raise ValueError("a loaded second has an intensity source the model does not give")
    if not present:
        return None
    return min(present, key=lambda item: (-item[1], item[0]))[0]


def _set_categories(sets: pl.DataFrame) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    if sets.is_empty():  # every cardio session: no query needed to find nothing
        return {movement.value: () for movement in (Movement.HIP_EXTENSION, Movement.KNEE_EXTENSION)}
    for movement in (Movement.HIP_EXTENSION, Movement.KNEE_EXTENSION):
        cats = sets.filter(pl.col("movement") == movement.value).get_column("categories").explode().drop_nulls()
        out[movement.value] = tuple(sorted(set(cats.to_list())))
    return out
