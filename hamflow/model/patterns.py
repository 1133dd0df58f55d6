"""Per-second movement patterns, declared once, their posterior share ``p``, and the loads that follow.

Each moving second gets one pattern. ``p`` is the share of that second's lower-limb load
credited to hip extension (hamstrings, glutes); the rest goes to the knee extensors (quads).

Every pattern is declared once, in :data:`PATTERNS`: how a second gets it (a rule on foot, a
machine's activity, or standing still), where its ``p`` comes from in ``[model.p]``, which side
it loads, what it means in words, its chart colour and the roles it plays (fast running, a
sprint, an incline walk, a leg-day machine). Classification, summaries, reasons, ``explain``,
the report's charts and the sensitivity table all read that table; the numbers themselves stay
in :mod:`.config`.

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

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import Final

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from .config import AthleteProfile, ModelParams, PatternShares, Thresholds
from .derive import SessionKind
from .gait import steps_per_minute
from .query import collect
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


class Side(StrEnum):
    """Which muscles a pattern (or a weekly flag) is about."""

    #: Hip extension dominant: hamstrings and glutes (the charts' magenta).
    POSTERIOR = "posterior"
    #: Knee extension dominant: the quads (the charts' blue).
    QUAD = "quad"
    #: No lower-limb cardio load: ``p`` is null and the loads are zero (the charts' greys).
    NONE = "none"


class Gait(StrEnum):
    """Which seconds on foot an on-foot rule looks at."""

    ANY = "any"
    WALK = "walk"
    RUN = "run"


class SessionCount(StrEnum):
    """Weekly session counts that time in a pattern qualifies a workout for (``model.sessions``)."""

    INCLINE_WALK = "incline_walk"
    ROWING = "rowing"


#: Speed of a second on foot (m/s); null without a speed.
SPEED: Final[pl.Expr] = pl.col("speed_mps")
#: Grade of a second (%); an unknown grade counts as flat: no incline credit.
GRADE: Final[pl.Expr] = pl.col("grade_pct").fill_null(0.0)


@dataclass(frozen=True, slots=True)
class Context:
    """What a pattern's rule and text may read: the thresholds in force and the athlete's vmax."""

    t: Thresholds
    vmax: float
    #: The session was done in reverse (only the text of a pattern with a reverse share uses it).
    reverse: bool = False

    def speed(self, vmax_fraction: float) -> float:
        """A fraction of the athlete's vmax, in m/s."""
        return vmax_fraction * self.vmax


@dataclass(frozen=True, slots=True)
class Share:
    """Where a pattern's ``p`` comes from: names of fields of ``[model.p]`` (:class:`PatternShares`)."""

    #: ``p`` (with ``per_grade_pct``: ``p`` on the flat).
    field: str
    #: ``p`` rises by this field's value per % of grade ...
    per_grade_pct: str | None = None
    #: ... up to this field's value.
    cap: str | None = None
    #: Used instead of ``field`` when the session was done in reverse (``--reverse-elliptical``).
    reverse: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Every field this share reads."""
        return tuple(n for n in (self.field, self.per_grade_pct, self.cap, self.reverse) if n is not None)

    @property
    def varied(self) -> tuple[str, ...]:
        """The fields moved together when this ``p`` is varied (the sensitivity table)."""
        return (self.field,) if self.cap is None else (self.field, self.cap)

    @property
    def varies(self) -> bool:
        """Does ``p`` differ from second to second within one session?"""
        return self.per_grade_pct is not None

    def expr(self, shares: PatternShares, kind: SessionKind) -> pl.Expr:
        """``p`` of a second in this pattern, with the shares in force."""
        if self.per_grade_pct is not None:
            rising = _number(shares, self.field) + _number(shares, self.per_grade_pct) * GRADE
            return rising if self.cap is None else rising.clip(upper_bound=_number(shares, self.cap))
        name = self.reverse if self.reverse is not None and kind.reverse_elliptical else self.field
        return pl.lit(_number(shares, name))


def _number(shares: PatternShares, name: str) -> float:
    value: float = getattr(shares, name)
    return value


@dataclass(frozen=True, slots=True)
class OnFoot:
    """How a second on foot gets a pattern.

    The rules of :attr:`Gait.ANY` are tried first, in ``order``; then a walked second tries the
    :attr:`Gait.WALK` rules and a run second the :attr:`Gait.RUN` rules, each in ``order``. The
    first rule that holds names the second. Each gait has one rule without a condition, its
    last: what is left of that gait.
    """

    order: int
    gait: Gait = Gait.ANY
    #: The condition; None for the last rule of a gait.
    when: Callable[[Context], pl.Expr] | None = None


def _fixed(text: str) -> Callable[[Context], str]:
    return lambda _: text


def _pct(fraction: float) -> str:
    return f"{100.0 * fraction:.0f} %"


@dataclass(frozen=True, slots=True, kw_only=True)
class PatternSpec:
    """Everything about one pattern, in one place (numbers are read from the config)."""

    pattern: Pattern
    side: Side
    #: What the pattern means, with the numbers in force ("walking at ≥ 10 % grade").
    text: Callable[[Context], str]
    #: Its colour on the report's charts: magenta shades for posterior, blue for quad, grey for none.
    #: Neighbours on a chart must be told apart: the stair climber is the blue-green one, and the
    #: unloaded greys step from light (standing) through mid (other sports) to dark (strength).
    colour: str
    #: Its place in the charts' stack and legend: most hip-extension first.
    chart_rank: int
    #: Where ``p`` comes from; None exactly when the side is NONE.
    share: Share | None = None
    # How a second gets this pattern: exactly one of the three.
    #: Seconds that are not moving, whatever the activity.
    standing: bool = False
    #: Every moving second of a session of this activity (a machine or a sport).
    activity: Activity | None = None
    #: A rule for seconds on foot.
    on_foot: OnFoot | None = None
    # Roles.
    #: 0: not fast running; else high-speed running, ranked (the fastest names a mixed fast run).
    fast_rank: int = 0
    #: Sprinting: sprint efforts, sprint distance, sprint sessions.
    sprint: bool = False
    #: Time in it counts towards this weekly session count.
    counts: SessionCount | None = None
    #: A machine whose hard minutes can make a leg day (``model.leg_day``).
    leg_day_machine: bool = False

    @property
    def p_varies(self) -> bool:
        """Does ``p`` differ from second to second (so a workout shows its mean)?"""
        return self.share is not None and self.share.varies


def _hill_sprint(c: Context) -> pl.Expr:
    candidate = (
        pl.col("moving") & (GRADE >= c.t.hill_sprint_min_grade_pct) & (SPEED >= c.speed(c.t.hill_sprint_vmax_fraction))
    ).fill_null(False)
    return candidate & (run_length(candidate) >= c.t.hill_sprint_sustain_s)


def _hsr(c: Context) -> pl.Expr:
    """High speed, except uphill below hill-sprint speed (that is hard uphill running)."""
    uphill_below_hill_sprint = (GRADE >= c.t.run_uphill_min_grade_pct) & (SPEED < c.speed(c.t.hill_sprint_vmax_fraction))
    return (SPEED >= c.speed(c.t.hsr_vmax_fraction)) & ~uphill_below_hill_sprint


def _hsr_text(c: Context) -> str:
    t = c.t
    hsr, sprint = c.speed(t.hsr_vmax_fraction), c.speed(t.sprint_vmax_fraction)
    return f"running at {hsr:.1f}-{sprint:.1f} m/s ({_pct(t.hsr_vmax_fraction)}-{_pct(t.sprint_vmax_fraction)} of vmax)"


def _hill_sprint_text(c: Context) -> str:
    t = c.t
    return (
        f"sprinting uphill (≥ {c.speed(t.hill_sprint_vmax_fraction):.1f} m/s up ≥ {t.hill_sprint_min_grade_pct:g} % "
        f"for ≥ {t.hill_sprint_sustain_s} s)"
    )


#: Every pattern, in the order of the model's tables (the order of :class:`Pattern`).
PATTERNS: Final[tuple[PatternSpec, ...]] = (
    PatternSpec(
        pattern=Pattern.DOWNHILL, side=Side.QUAD, share=Share("downhill"),
        on_foot=OnFoot(50, when=lambda c: GRADE <= c.t.downhill_max_grade_pct),
        text=lambda c: f"on foot downhill (grade ≤ {c.t.downhill_max_grade_pct:g} %)",
        colour="#3a84c8", chart_rank=120,
    ),
    PatternSpec(
        pattern=Pattern.WALK_FLAT, side=Side.QUAD, share=Share("walk_flat"),
        on_foot=OnFoot(80, Gait.WALK),
        text=lambda c: f"walking at under {c.t.walk_incline_min_grade_pct:g} % grade",
        colour="#a9c9e6", chart_rank=90,
    ),
    PatternSpec(
        pattern=Pattern.WALK_INCLINE, side=Side.POSTERIOR, share=Share("walk_incline"),
        on_foot=OnFoot(70, Gait.WALK, when=lambda c: GRADE >= c.t.walk_incline_min_grade_pct),
        text=lambda c: f"walking at {c.t.walk_incline_min_grade_pct:g}-{c.t.walk_steep_min_grade_pct:g} % grade",
        colour="#de90b2", chart_rank=60, counts=SessionCount.INCLINE_WALK,
    ),
    PatternSpec(
        pattern=Pattern.WALK_STEEP, side=Side.POSTERIOR, share=Share("walk_steep"),
        on_foot=OnFoot(60, Gait.WALK, when=lambda c: GRADE >= c.t.walk_steep_min_grade_pct),
        text=lambda c: f"walking at ≥ {c.t.walk_steep_min_grade_pct:g} % grade",
        colour="#b0186b", chart_rank=30, counts=SessionCount.INCLINE_WALK,
    ),
    PatternSpec(
        pattern=Pattern.RUN_EASY, side=Side.QUAD, share=Share("run_easy"),
        on_foot=OnFoot(100, Gait.RUN),
        text=lambda c: f"running below {c.speed(c.t.hsr_vmax_fraction):.1f} m/s on the flat",
        colour="#5596cf", chart_rank=110,
    ),
    PatternSpec(
        pattern=Pattern.RUN_UPHILL, side=Side.POSTERIOR,
        share=Share("run_uphill_base", per_grade_pct="run_uphill_per_pct", cap="run_uphill_max"),
        on_foot=OnFoot(90, Gait.RUN, when=lambda c: GRADE >= c.t.run_uphill_min_grade_pct),
        text=lambda c: f"running uphill (≥ {c.t.run_uphill_min_grade_pct:g} % grade)",
        colour="#e9b3cb", chart_rank=70,
    ),
    PatternSpec(
        pattern=Pattern.HSR, side=Side.POSTERIOR, share=Share("hsr"),
        on_foot=OnFoot(40, when=_hsr), text=_hsr_text,
        colour="#d16a98", chart_rank=50, fast_rank=1,
    ),
    PatternSpec(
        pattern=Pattern.SPRINT, side=Side.POSTERIOR, share=Share("sprint"),
        on_foot=OnFoot(30, when=lambda c: SPEED >= c.speed(c.t.sprint_vmax_fraction)),
        text=lambda c: (
            f"sprinting at ≥ {c.speed(c.t.sprint_vmax_fraction):.1f} m/s ({_pct(c.t.sprint_vmax_fraction)} of vmax)"
        ),
        colour="#7a0f4a", chart_rank=10, fast_rank=3, sprint=True,
    ),
    PatternSpec(
        pattern=Pattern.HILL_SPRINT, side=Side.POSTERIOR, share=Share("hill_sprint"),
        on_foot=OnFoot(20, when=_hill_sprint), text=_hill_sprint_text,
        colour="#8f1457", chart_rank=20, fast_rank=2, sprint=True,
    ),
    PatternSpec(
        pattern=Pattern.ROW, side=Side.POSTERIOR, share=Share("row"), activity=Activity.ROW,
        text=_fixed("rowing"), colour="#c2407f", chart_rank=40,
        counts=SessionCount.ROWING, leg_day_machine=True,
    ),
    PatternSpec(
        pattern=Pattern.STAIR, side=Side.QUAD, share=Share("stair"), activity=Activity.STAIR,
        text=_fixed("on the stair climber"), colour="#2a9d8f", chart_rank=80, leg_day_machine=True,
    ),
    PatternSpec(
        pattern=Pattern.ELLIPTICAL, side=Side.QUAD, share=Share("elliptical", reverse="elliptical_reverse"),
        activity=Activity.ELLIPTICAL,
        text=lambda c: "on the elliptical" + (" (reverse)" if c.reverse else ""),
        colour="#7fb0dc", chart_rank=100,
    ),
    PatternSpec(
        pattern=Pattern.BIKE, side=Side.QUAD, share=Share("bike"), activity=Activity.BIKE,
        text=_fixed("cycling"), colour="#1f6fb0", chart_rank=130,
    ),
    PatternSpec(
        pattern=Pattern.REST, side=Side.NONE, standing=True,
        text=_fixed("standing or paused"), colour="#eeeeee", chart_rank=160,
    ),
    PatternSpec(
        pattern=Pattern.STRENGTH, side=Side.NONE, activity=Activity.STRENGTH,
        text=_fixed("strength training"), colour="#5c5c5c", chart_rank=140,
    ),
    PatternSpec(
        pattern=Pattern.OTHER, side=Side.NONE, activity=Activity.OTHER,
        text=_fixed("in a sport without lower-limb load in this model"), colour="#a3a3a3", chart_rank=150,
    ),
)


def declaration_problems(specs: Iterable[PatternSpec]) -> list[str]:
    """What is wrong with a table of declarations (empty when it is sound)."""
    specs = tuple(specs)
    problems: list[str] = []
    names = [s.pattern for s in specs]
    for pattern in Pattern:
        if names.count(pattern) != 1:
            problems.append(f"{pattern} is declared {names.count(pattern)} times")
    share_fields = {f.name for f in dataclasses.fields(PatternShares)}
    for s in specs:
        ways = [s.standing, s.activity is not None, s.on_foot is not None]
        if sum(ways) != 1:
            problems.append(f"{s.pattern}: needs exactly one of standing, activity, on_foot")
        if (s.share is None) != (s.side is Side.NONE):
            problems.append(f"{s.pattern}: a share exactly when it loads a side")
        for name in s.share.names if s.share is not None else ():
            if name not in share_fields:
                problems.append(f"{s.pattern}: model.p has no field {name!r}")
        if s.sprint and not s.fast_rank:
            problems.append(f"{s.pattern}: a sprint pattern is fast running (fast_rank > 0)")
        if not re.fullmatch(r"#[0-9a-f]{6}", s.colour):
            problems.append(f"{s.pattern}: colour {s.colour!r} is not #rrggbb")
    if sum(s.standing for s in specs) != 1:
        problems.append("exactly one pattern is for standing still")
    for activity in Activity:
        if activity is Activity.ON_FOOT:
            continue
        owners = [s.pattern for s in specs if s.activity is activity]
        if len(owners) != 1:
            problems.append(f"activity {activity} needs exactly one pattern, has {owners}")
    if any(s.activity is Activity.ON_FOOT for s in specs):
        problems.append("on-foot patterns are declared with on_foot rules, not an activity")
    for gait in Gait:
        rules = sorted((s.on_foot for s in specs if s.on_foot is not None and s.on_foot.gait is gait), key=lambda r: r.order)
        fallbacks = [r for r in rules if r.when is None]
        if gait is Gait.ANY and fallbacks:
            problems.append("a rule for any gait needs a condition")
        if gait is not Gait.ANY and (len(fallbacks) != 1 or rules[-1].when is not None):
            problems.append(f"the {gait} rules need exactly one rule without a condition, the last")
        orders = [r.order for r in rules]
        if len(set(orders)) != len(orders):
            problems.append(f"the {gait} rules need distinct orders")
    for name, values in (("chart_rank", [s.chart_rank for s in specs]), ("fast_rank", [s.fast_rank for s in specs if s.fast_rank])):
        if len(set(values)) != len(values):
            problems.append(f"{name} values must be distinct")
    return problems


if _problems := declaration_problems(PATTERNS):  # a broken table fails at import, not in the numbers
    raise RuntimeError("hamflow.model.patterns.PATTERNS: " + "; ".join(_problems))

#: Each pattern's declaration.
SPECS: Final[Mapping[Pattern, PatternSpec]] = MappingProxyType({s.pattern: s for s in PATTERNS})
#: Order used wherever patterns are listed (tables, reasons): the order of the model table.
ORDER: Final[tuple[Pattern, ...]] = tuple(Pattern)
#: Patterns without lower-limb cardio load.
UNLOADED: Final[frozenset[Pattern]] = frozenset(s.pattern for s in PATTERNS if s.side is Side.NONE)
#: Patterns that make a sprint effort, in the model's order.
SPRINTS: Final[tuple[Pattern, ...]] = tuple(s.pattern for s in PATTERNS if s.sprint)
#: Patterns of running at or above high speed, in the model's order.
FAST: Final[tuple[Pattern, ...]] = tuple(s.pattern for s in PATTERNS if s.fast_rank)
#: Fast running that is not sprinting (its distance is ``hsr_distance_m``).
HIGH_SPEED: Final[tuple[Pattern, ...]] = tuple(s.pattern for s in PATTERNS if s.fast_rank and not s.sprint)
#: Machines whose hard minutes can make a leg day.
LEG_DAY_MACHINES: Final[tuple[Pattern, ...]] = tuple(s.pattern for s in PATTERNS if s.leg_day_machine)
#: The pattern of seconds that are not moving.
STANDING: Final[Pattern] = next(s.pattern for s in PATTERNS if s.standing)
#: The pattern of every moving second of a session of one of these activities.
ACTIVITY_PATTERN: Final[Mapping[Activity, Pattern]] = MappingProxyType(
    {s.activity: s.pattern for s in PATTERNS if s.activity is not None}
)
#: Patterns in the charts' order, most hip-extension first.
CHART_ORDER: Final[tuple[Pattern, ...]] = tuple(s.pattern for s in sorted(PATTERNS, key=lambda s: s.chart_rank))


def counted(count: SessionCount) -> tuple[Pattern, ...]:
    """The patterns whose time counts towards a weekly session count, in the model's order."""
    return tuple(s.pattern for s in PATTERNS if s.counts is count)


def describe(pattern: str, thresholds: Thresholds, vmax_mps: float, *, reverse: bool = False) -> str:
    """What a pattern means, with these numbers."""
    return SPECS[Pattern(pattern)].text(Context(thresholds, vmax_mps, reverse))


def consecutive_run_id(flag: pl.Expr) -> pl.Expr:
    """An id per run of equal ``flag`` values over consecutive seconds (a gap starts a new run)."""
    new_second = pl.col("ts_utc").diff().dt.total_seconds().fill_null(1) != 1
    changed = (flag != flag.shift(1)).fill_null(True)
    return (changed | new_second).cum_sum()


def run_length(flag: pl.Expr) -> pl.Expr:
    """Length in rows of the run of consecutive seconds each row belongs to."""
    return pl.len().over(consecutive_run_id(flag))


def _rules(gait: Gait) -> list[tuple[pl.Expr, OnFoot]]:
    """The on-foot rules of one gait in order, each with the name it gives."""
    rules = [(pl.lit(s.pattern.value), s.on_foot) for s in PATTERNS if s.on_foot is not None and s.on_foot.gait is gait]
    return sorted(rules, key=lambda item: item[1].order)


def _condition(rule: OnFoot, c: Context) -> pl.Expr:
    if rule.when is None:  # pragma: no cover - declaration_problems keeps these last
        raise ValueError("only the last rule of a gait has no condition")
    return rule.when(c)


def _gait_chain(gait: Gait, c: Context) -> pl.Expr:
    """The pattern of a second of this gait: its rules in order, the last one taking the rest."""
    *rules, (rest, _) = _rules(gait)
    if not rules:
        return rest
    (name, rule), *others = rules
    chain: Then | ChainedThen = pl.when(_condition(rule, c)).then(name)
    for name, rule in others:
        chain = chain.when(_condition(rule, c)).then(name)
    return chain.otherwise(rest)


def pattern_expr(kind: SessionKind, profile: AthleteProfile, model: ModelParams) -> pl.Expr:
    """The pattern of every second (needs ``moving``, ``speed_mps``, ``grade_pct``)."""
    standing = pl.lit(STANDING.value)
    if kind.activity in ACTIVITY_PATTERN:
        return (
            pl.when(pl.col("moving"))
            .then(pl.lit(ACTIVITY_PATTERN[kind.activity].value))
            .otherwise(standing)
            .alias("pattern")
        )
    c = Context(model.thresholds, profile.vmax_mps)
    chain: Then | ChainedThen = pl.when(~pl.col("moving")).then(standing)
    for name, rule in _rules(Gait.ANY):
        chain = chain.when(_condition(rule, c)).then(name)
    walking, running = _gait_chain(Gait.WALK, c), _gait_chain(Gait.RUN, c)
    return (
        chain.when(walking_gait(model.thresholds))
        .then(walking)
        .when(SPEED.is_null() & pl.lit(kind.walking))  # no speed: the sport says walk or run
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
    loaded = [(s.pattern, s.share) for s in PATTERNS if s.share is not None]
    first, share = loaded[0]
    chain: Then | ChainedThen = pl.when(pl.col("pattern") == first.value).then(share.expr(model.p, kind))
    for pattern, share in loaded[1:]:
        chain = chain.when(pl.col("pattern") == pattern.value).then(share.expr(model.p, kind))
    return chain.otherwise(pl.lit(None, dtype=pl.Float64)).cast(pl.Float64).alias("p")


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
    """``load`` (L), ``posterior_load`` (p h L) and ``quad_load`` ((1 - p) L) per second.

    The store keeps none of the three: the ``samples`` view computes them from the stored
    columns (sql/009_samples_stored.sql) with exactly these floating-point operations in this
    order (IF times IF, times dt, times the reciprocal of 36), so both agree to the last bit.
    """
    loaded = pl.col("p").is_not_null()
    square = pl.col("intensity_factor") * pl.col("intensity_factor")
    load = pl.when(loaded).then(square * pl.col("dt_s") * (1.0 / 36.0)).otherwise(0.0)
    return [
        load.alias("load"),
        (load * pl.col("p").fill_null(0.0) * pl.col("h")).alias("posterior_load"),
        (load * (1.0 - pl.col("p").fill_null(0.0))).alias("quad_load"),
    ]


def classify_seconds(
    frame: pl.DataFrame, kind: SessionKind, profile: AthleteProfile, model: ModelParams
) -> pl.DataFrame:
    """Add ``pattern``, ``p``, ``h``, ``maxv`` and the three loads to a derived-signal frame."""
    return collect(classify_query(frame.lazy(), kind, profile, model))


def classify_query(query: pl.LazyFrame, kind: SessionKind, profile: AthleteProfile, model: ModelParams) -> pl.LazyFrame:
    """:func:`classify_seconds` of ``query``'s frame, as a query not yet run."""
    for step in _second_steps(kind, profile, model):
        query = query.with_columns(step)
    return query


@lru_cache(maxsize=64)
def _second_steps(kind: SessionKind, profile: AthleteProfile, model: ModelParams) -> tuple[tuple[pl.Expr, ...], ...]:
    """The expressions of :func:`classify_seconds`, step by step (each step reads the one
    before). Built once per kind, profile and model: building the pattern rules costs more
    than applying them to an hour of seconds."""
    return (
        (pattern_expr(kind, profile, model),),
        (share_expr(kind, model), hamstring_expr(kind, profile, model), maxv_expr(kind, profile, model)),
        tuple(load_exprs()),
    )
