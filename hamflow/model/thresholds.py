"""Athlete thresholds estimated from the athlete's own history (docs/model.md, section 9).

Every calibrated threshold is declared once in :data:`METRICS`: which ``AthleteProfile`` field
it sets, how one workout's *candidate* is computed from its screened 1 Hz samples (so a masked
glitch never counts), and the rule that turns the running best of the candidates into a value.

A threshold's *timeline* is that running best over the athlete's workouts in (start, workout_id)
order: a workout is classified with the values valid at its start, its own candidate included.
The timeline depends only on the set of workouts, never on the order they arrived in. Values in
the athlete's own ``[athletes.<id>]`` table always win over estimates.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal

import polars as pl

from .config import AthleteProfile, Calibration, HamflowConfig, ModelParams
from .query import Steps, run_alone
from .sports import Activity

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

Source = Literal["config", "estimated", "default"]
_Channel = Literal["speed_mps", "power_w", "heart_rate_bpm"]


@dataclass(frozen=True, slots=True)
class Metric:
    """One calibrated threshold."""

    #: The ``AthleteProfile`` field it sets.
    name: str
    #: Activities whose sessions give a candidate (None: every activity).
    activities: frozenset[Activity] | None
    channel: _Channel
    #: ``mean`` or ``median`` over the window.
    statistic: Literal["mean", "median"]
    #: Candidate = factor x best windowed statistic.
    uses_fraction: bool
    #: True: the estimate may lower the default (down to a floor); False: it only raises it.
    may_lower: bool
    unit: str
    #: What the candidate is, in words (evidence and docs).
    describes: str
    #: Where the rule comes from (docs).
    source: str

    def window_s(self, cal: Calibration) -> int:
        if self.name == "vmax_mps":
            return cal.vmax_window_s
        if self.name == "hr_max_bpm":
            return cal.hr_max_window_s
        return cal.threshold_window_s

    def factor(self, cal: Calibration) -> float:
        return cal.threshold_fraction if self.uses_fraction else 1.0

    def rule(self, best: float | None, default: float, cal: Calibration) -> float:
        """The threshold from the best candidate so far and the default."""
        if best is None:
            return default
        if self.may_lower:
            return max(min(cal.vmax_floor_mps, default), best)
        return max(default, best)


_ON_FOOT = frozenset({Activity.ON_FOOT})

#: Every calibrated threshold, in the order they are shown.
METRICS: Final[tuple[Metric, ...]] = (
    Metric("vmax_mps", _ON_FOOT, "speed_mps", "mean", False, True, "m/s",
           "best short mean speed on foot",
           "[O] the athlete's best is a lower bound of their top speed; floor [E] Weyand et al. 2000"),
    Metric("threshold_speed_mps", _ON_FOOT, "speed_mps", "mean", True, False, "m/s",
           "fraction of the best long mean speed on foot",
           "[E/O] 20-min best x 0.95, the FTP convention (Allen & Coggan) applied to running speed"),
    Metric("bike_threshold_power_w", frozenset({Activity.BIKE}), "power_w", "mean", True, False, "W",
           "fraction of the best long mean power on the bike",
           "[E] FTP = 0.95 x 20-min best power (Allen & Coggan, Training and Racing with a Power Meter)"),
    Metric("rower_threshold_power_w", frozenset({Activity.ROW}), "power_w", "mean", True, False, "W",
           "fraction of the best long mean power on the rower",
           "[E/O] the same FTP convention on the ergometer"),
    Metric("hr_max_bpm", None, "heart_rate_bpm", "median", False, False, "bpm",
           "highest sustained median heart rate",
           "[O] a sustained 30 s median, so one spike or a cadence lock of a few beats does not count"),
)

METRIC_NAMES: Final[tuple[str, ...]] = tuple(m.name for m in METRICS)


@dataclass(frozen=True, slots=True)
class Candidate:
    """What one workout showed for one metric."""

    metric: str
    value: float
    evidence: str


def _best_window(column: pl.Expr, window: int, statistic: str) -> pl.Expr:
    """The highest windowed mean or median over ``window`` consecutive whole seconds."""
    rolled = column.rolling_median(window, min_samples=window) if statistic == "median" else column.rolling_mean(
        window, min_samples=window
    )
    contiguous = (pl.col("ts_utc") - pl.col("ts_utc").shift(window - 1)).dt.total_seconds() == window - 1
    return pl.when(contiguous).then(rolled).max()


def candidates(frame: pl.DataFrame, activity: Activity, indoor: bool, model: ModelParams) -> tuple[Candidate, ...]:
    """The candidates of one session, from its completed and screened 1 Hz frame with the
    masked values hidden (:func:`hamflow.model.quality.apply_mask`)."""
    return run_alone(candidates_steps(frame, activity, indoor, model))


def candidates_steps(frame: pl.DataFrame, activity: Activity, indoor: bool, model: ModelParams) -> Steps[tuple[Candidate, ...]]:
    """:func:`candidates` as :data:`~.query.Steps` (so that a batch's sessions run it in step)."""
    cal = model.calibration
    if not cal.enabled or frame.is_empty():
        return ()
    # Every metric's best window in one query: one query per metric would pay its cost each time.
    windows: dict[str, pl.Expr] = {}
    for m in METRICS:
        if m.activities is not None and activity not in m.activities:
            continue
        if frame.height < m.window_s(cal):
            continue
        column = pl.col(m.channel)
        if m.channel == "power_w" and activity is Activity.ROW and indoor and model.intensity.erg_pace_power_coefficient > 0:
            column = pl.coalesce(column, model.intensity.erg_pace_power_coefficient * pl.col("speed_mps").pow(3))
        windows[m.name] = _best_window(column.cast(pl.Float64), m.window_s(cal), m.statistic).alias(m.name)
    found = (yield frame.lazy().sort("ts_utc").select(*windows.values())).row(0, named=True) if windows else {}
    out: list[Candidate] = []
    for m in METRICS:
        window = m.window_s(cal)
        best = found.get(m.name)
        if best is None or best <= 0:
            continue
        best = float(best)
        value = round(m.factor(cal) * best, 3)
        text = f"{m.statistic} over the best {window} s: {best:.2f} {m.unit}"
        if m.uses_fraction:
            text += f" x {m.factor(cal):g}"
        out.append(Candidate(m.name, value, text))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class ThresholdRow:
    """One row of ``athlete_thresholds``: a value and from when it holds."""

    athlete_id: str
    metric: str
    value: float
    valid_from: datetime | None
    source: Source
    workout_id: str | None
    evidence: str | None


@dataclass(frozen=True, slots=True)
class WorkoutRef:
    """A workout in timeline order, with its candidates (metric -> candidate)."""

    workout_id: str
    start_utc: datetime
    candidates: Mapping[str, Candidate]


@dataclass(frozen=True)
class Timeline:
    """An athlete's threshold rows, and the values valid at each workout's start."""

    rows: tuple[ThresholdRow, ...]
    #: workout_id -> metric -> value the workout is classified with.
    at: Mapping[str, Mapping[str, float]]


def timeline(athlete_id: str, workouts: Iterable[WorkoutRef], config: HamflowConfig) -> Timeline:
    """Running best of every metric over ``workouts`` (sorted here by start, then id)."""
    base = config.profile(athlete_id)
    configured = config.configured_keys(athlete_id)
    cal = config.model.calibration
    ordered = sorted(workouts, key=lambda w: (w.start_utc, w.workout_id))
    rows: list[ThresholdRow] = []
    at: dict[str, dict[str, float]] = {w.workout_id: {} for w in ordered}
    for m in METRICS:
        default = float(getattr(base, m.name))
        if m.name in configured or not cal.enabled:
            source: Source = "config" if m.name in configured else "default"
            rows.append(ThresholdRow(athlete_id, m.name, default, None, source, None, None))
            for w in ordered:
                at[w.workout_id][m.name] = default
            continue
        rows.append(ThresholdRow(athlete_id, m.name, default, None, "default", None, None))
        best: float | None = None
        current = default
        for w in ordered:
            c = w.candidates.get(m.name)
            if c is not None and (best is None or c.value > best):
                best = c.value
                value = m.rule(best, default, cal)
                if value != current:
                    evidence = f"{m.describes}: {c.evidence}"
                    if m.may_lower and value > best:
                        evidence += f"; not lowered below the {value:g} {m.unit} floor"
                    rows.append(ThresholdRow(athlete_id, m.name, value, w.start_utc, "estimated", w.workout_id, evidence))
                    current = value
            at[w.workout_id][m.name] = current
    return Timeline(tuple(rows), at)


def profile_with(base: AthleteProfile, values: Mapping[str, float]) -> AthleteProfile:
    """``base`` with the calibrated fields replaced by ``values``."""
    changes: dict[str, object] = {k: v for k, v in values.items() if getattr(base, k) != v}
    return dataclasses.replace(base, **changes) if changes else base  # type: ignore[arg-type]


def values_for(config: HamflowConfig, athlete_id: str, best: Mapping[str, float]) -> dict[str, float]:
    """The calibrated thresholds of a workout whose best candidate of each metric so far (its own
    included) is ``best``: the value :func:`timeline` holds at that workout (the rule of the
    running best, the default before any candidate; config values and a disabled calibration win)."""
    base = config.profile(athlete_id)
    configured = config.configured_keys(athlete_id)
    cal = config.model.calibration
    out: dict[str, float] = {}
    for m in METRICS:
        default = float(getattr(base, m.name))
        fixed = m.name in configured or not cal.enabled
        out[m.name] = default if fixed else m.rule(best.get(m.name), default, cal)
    return out


def own_profile(config: HamflowConfig, athlete_id: str | None, found: Sequence[Candidate]) -> AthleteProfile:
    """The profile of a workout judged by its own candidates alone (what a worker can know)."""
    athlete = athlete_id or config.default_athlete
    return profile_with(config.profile(athlete_id), values_for(config, athlete, {c.metric: c.value for c in found}))


_Steps = tuple[tuple[tuple[datetime, str], ...], tuple[float, ...]]

#: The columns :meth:`PriorThresholds.of` reads (those of ``workout_evidence``).
PRIOR_COLUMNS: Final[tuple[str, ...]] = ("athlete_id", "workout_id", "start_utc", "metric", "value")


@dataclass(frozen=True)
class PriorThresholds:
    """The thresholds timelines of workouts other than the one being classified: per athlete
    and metric, the (start, workout_id) keys at which the best candidate rose, and the best from
    each on. A workout's thresholds are then the rule of the best before it merged with its own
    candidates: exactly what :func:`timeline` gives it once every workout here is stored, so
    calibration after the writes finds nothing to classify again."""

    steps: Mapping[str, Mapping[str, _Steps]] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, evidence: pl.DataFrame) -> PriorThresholds:
        """From candidate rows (:data:`PRIOR_COLUMNS`; a null value: no candidate), one set per
        workout: a workout listed twice keeps its first rows."""
        rows = (
            evidence.select(PRIOR_COLUMNS)
            .filter(pl.col("value").is_not_null())
            .unique(subset=["workout_id", "metric"], keep="first", maintain_order=True)
            .sort("athlete_id", "metric", "start_utc", "workout_id")
            .with_columns(pl.col("value").cum_max().over("athlete_id", "metric").alias("best"))
        )
        previous = pl.col("best").shift(1).over("athlete_id", "metric")
        rises = rows.filter(previous.is_null() | (pl.col("best") > previous))
        steps: dict[str, dict[str, _Steps]] = {}
        for (athlete, metric), part in rises.group_by("athlete_id", "metric", maintain_order=True):
            keys = tuple(zip(part.get_column("start_utc").to_list(), part.get_column("workout_id").to_list(), strict=True))
            steps.setdefault(str(athlete), {})[str(metric)] = (keys, tuple(part.get_column("best").to_list()))
        return cls(steps)

    def best_before(self, athlete_id: str, metric: str, start_utc: datetime, workout_id: str) -> float | None:
        """The best candidate of the workouts before (start_utc, workout_id) in timeline order."""
        found = self.steps.get(athlete_id, {}).get(metric)
        if found is None:
            return None
        keys, bests = found
        at = bisect_left(keys, (start_utc, workout_id))
        return bests[at - 1] if at else None

    def profile(self, config: HamflowConfig, athlete_id: str, workout_id: str, start_utc: datetime | None,
                found: Sequence[Candidate]) -> AthleteProfile:
        """The profile a workout is classified with: its timeline's values at its start."""
        best: dict[str, float] = {c.metric: c.value for c in found}
        if start_utc is not None:
            for m in METRICS:
                before = self.best_before(athlete_id, m.name, start_utc, workout_id)
                own = best.get(m.name)
                if before is not None and (own is None or before > own):
                    best[m.name] = before
        return profile_with(config.profile(athlete_id), values_for(config, athlete_id, best))


def current_rows(rows: Sequence[ThresholdRow]) -> list[ThresholdRow]:
    """The row in force now for each metric (the last one of each)."""
    latest: dict[tuple[str, str], ThresholdRow] = {}
    for r in rows:
        latest[(r.athlete_id, r.metric)] = r
    return list(latest.values())
