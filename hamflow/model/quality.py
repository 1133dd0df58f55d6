"""The data-quality screen: what a sensor cannot have measured is not given to the model.

Real files carry power spikes of twenty kilowatts, GPS jumps that look like sprints, altitude
steps, heart rates of 255 and, in salvaged files, whatever the damaged bytes happened to say.
Taken at face value one such second can outweigh an hour of honest data. The screen runs on the
1 Hz grid, after the signals are completed (:func:`~hamflow.model.derive.complete_signals`) and
before anything is classified, for every file, salvaged ones included:

- **bounds**: per activity, speed, power, cadence and vertical speed above what a person (or a
  bike) can do, and heart rates outside what a heart can do (:class:`QualityParams`);
- **spikes**: on foot, a speed further from the median of the seconds around it than an
  athlete can accelerate, or faster than a walker can go while the cadence says walking;
- **the device's own word**: speed or power above the session's own maximum; records outside
  the session's start and elapsed time; records whose distance disagrees with the session's.

A value that fails is *masked*: the model treats it as missing, the stored sample keeps it and
names the channel in its ``masked`` column, and the workout gets one sentence per check in its
``quality_warnings``. Nothing is deleted, and the screen is a pure function of the grid, the
session totals and the config, so ``hamflow reprocess`` screens stored samples the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Final

import polars as pl

from hamflow.fit.types import Session

from .config import ChannelBounds, QualityParams, Thresholds
from .gait import steps_per_minute
from .query import Steps, collect, collect_all, run_alone
from .sports import Activity
from .utc import utc_literal

#: Channels the screen can mask, in the order of the samples table.
CHANNELS: Final[tuple[str, ...]] = ("speed_mps", "altitude_m", "distance_m", "power_w", "heart_rate_bpm", "cadence")

#: No session runs longer than this (s): an elapsed time beyond it is a damaged message.
MAX_ELAPSED_S: Final = 7 * 24 * 3600.0

#: Distances are written to the centimetre or metre: steps this small are not glitches (m).
_DISTANCE_SLACK_M: Final = 1.0


@dataclass(frozen=True, slots=True)
class DeviceTotals:
    """What the session message says about the session (None where it says nothing)."""

    start_utc: datetime | None = None
    elapsed_s: float | None = None
    timer_s: float | None = None
    distance_m: float | None = None
    max_speed_mps: float | None = None
    max_power_w: float | None = None
    total_ascent_m: float | None = None

    @classmethod
    def of(cls, session: Session) -> DeviceTotals:
        if session.synthetic:
            return cls()
        return cls(
            start_utc=session.start_utc,
            elapsed_s=session.elapsed_s,
            timer_s=session.timer_s,
            distance_m=session.distance_m,
            max_speed_mps=session.max_speed_mps,
            max_power_w=session.max_power_w,
            total_ascent_m=session.total_ascent_m,
        )


@dataclass(frozen=True, slots=True)
class Check:
    """One test of the screen: the channels it masks and what it says when it fires."""

    name: str
    channels: tuple[str, ...]
    #: Filled with the number of seconds it masked (``{n}``) and the bound in force (``{bound}``).
    text: str


#: Every check, declared once: the screen, the warnings and docs/model.md read this table.
CHECKS: Final[tuple[Check, ...]] = (
    Check("outside_session", CHANNELS, "{n} s of records lie outside the session's own start and elapsed time: not counted"),
    Check("stray_records", CHANNELS, "{n} s of records lie hours away from the rest of the session (damaged time stamps): not counted"),
    Check("speed_bound", ("speed_mps",), "speed: {n} s above {bound} m/s masked"),
    Check("speed_spike", ("speed_mps",), "speed: {n} s of GPS spikes masked (over {bound} m/s from the seconds around them)"),
    Check("speed_walking", ("speed_mps",), "speed: {n} s faster than {bound} m/s while the cadence says walking masked"),
    Check("speed_device_max", ("speed_mps",), "speed: {n} s above the device's own maximum of {bound} m/s masked"),
    Check("distance_jump", ("distance_m",), "distance: {n} jumps faster than {bound} m/s left out"),
    Check("altitude_jump", ("altitude_m",), "altitude: {n} s of jumps over {bound} m/s masked"),
    Check("power_bound", ("power_w",), "power: {n} s above {bound} W masked"),
    Check("power_device_max", ("power_w",), "power: {n} s above the device's own maximum of {bound} W masked"),
    Check("heart_rate_bound", ("heart_rate_bpm",), "heart rate: {n} s outside {bound} bpm masked"),
    Check("cadence_bound", ("cadence",), "cadence: {n} s above {bound} masked"),
    Check("distance_mismatch", ("speed_mps", "distance_m"), "{bound}"),
)


@dataclass(frozen=True, slots=True)
class Screened:
    """The grid with its ``masked`` column, and the warnings to show with the workout."""

    frame: pl.DataFrame
    warnings: tuple[str, ...]
    #: False when the session's own distance is impossible (a damaged session message): the
    #: workout then reports the distance its screened records cover.
    session_distance_ok: bool = True
    #: False when the session's own elapsed time is impossible: the kept records' span is used.
    session_time_ok: bool = True
    #: Seconds from the first to the last record the screen kept (the duration of a session
    #: that has no session message).
    kept_span_s: float | None = None
    #: The first record the screen kept.
    kept_start_utc: datetime | None = None
    #: ``apply_mask(frame)``: what the model sees. The screen builds it anyway to judge the
    #: distance, so it is kept rather than built again.
    applied: pl.DataFrame | None = None

    @property
    def model_view(self) -> pl.DataFrame:
        """The screened frame as the model sees it (:func:`apply_mask`)."""
        return self.applied if self.applied is not None else apply_mask(self.frame)


def session_distance_plausible(totals: DeviceTotals, bounds: ChannelBounds) -> bool:
    """A session distance no faster on average than the sport's speed bound allows."""
    if totals.distance_m is None:
        return True
    if totals.elapsed_s is None:
        return totals.distance_m >= 0
    if not 0 < totals.elapsed_s <= MAX_ELAPSED_S:
        return False
    return 0 <= totals.distance_m <= bounds.max_speed_mps * totals.elapsed_s


def bounds_for(activity: Activity, params: QualityParams) -> ChannelBounds:
    if activity is Activity.ON_FOOT:
        return params.on_foot
    if activity is Activity.BIKE:
        return params.bike
    if activity is Activity.ROW:
        return params.row
    return params.other


def screen(
    frame: pl.DataFrame,
    activity: Activity,
    totals: DeviceTotals,
    params: QualityParams,
    thresholds: Thresholds,
) -> Screened:
    """Judge every value of a completed 1 Hz frame; add ``masked`` (the channels that failed,
    null where none did). Values are left as they are: :func:`apply_mask` hides the masked ones."""
    return run_alone(screen_steps(frame, activity, totals, params, thresholds))


def screen_steps(
    frame: pl.DataFrame,
    activity: Activity,
    totals: DeviceTotals,
    params: QualityParams,
    thresholds: Thresholds,
) -> Steps[Screened]:
    """:func:`screen` as :data:`~.query.Steps` (so that a batch's sessions run it in step)."""
    if frame.is_empty():
        return Screened(frame.with_columns(pl.lit(None, dtype=pl.List(pl.String)).alias("masked")), ())
    bounds = bounds_for(activity, params)
    checks = _check_exprs(activity, totals, params, thresholds)
    first = yield from _first_pass(frame, checks)
    flags, marked, provisional, counts = first.flags, first.marked, first.provisional, first.counts
    bound_texts = _bound_texts(totals, params, bounds)
    warnings = [
        check.text.format(n=int(counts[check.name]), bound=bound_texts.get(check.name, ""))
        for check in CHECKS
        if counts.get(check.name)
    ]
    time_ok = totals.elapsed_s is None or 0 < totals.elapsed_s <= MAX_ELAPSED_S
    if not time_ok:
        hours = (totals.elapsed_s or 0) / 3600
        warnings.append(f"time: the session's own elapsed time of {hours:,.0f} h is impossible: the records' span is used")
    distance_ok = session_distance_plausible(totals, bounds)
    if not distance_ok:
        warnings.append(
            f"distance: the session's own {(totals.distance_m or 0) / 1000:,.1f} km in {(totals.elapsed_s or 0) / 60:,.0f} min "
            "is impossible: the records' distance is used"
        )
        totals = DeviceTotals(totals.start_utc, totals.elapsed_s, totals.timer_s, None, totals.max_speed_mps,
                              totals.max_power_w, totals.total_ascent_m)
    mismatch = _distance_mismatch(first, totals, params)
    short = _records_short(first.everywhere, totals, params)
    if short:
        warnings.append(short)
    if mismatch:
        warnings.append(mismatch)
        flags = flags.with_columns(pl.lit(True).alias("distance_mismatch"))
        marked = frame.with_columns(_masked_column(flags))
        provisional = apply_mask(marked)
    height, spread, start = first.kept_rows, first.kept_spread_s, first.kept_start
    span = (float(spread) if spread is not None else 0.0) + 1 if height else 0.0
    return Screened(marked, tuple(warnings), distance_ok, time_ok, float(span), start if height else None, provisional)


@dataclass(frozen=True, slots=True)
class _Spread:
    """How many distances some seconds hold and how far they spread (largest minus smallest;
    None without a distance): what the distance checks compare with the session's own."""

    distances: int
    spread: float | None


@dataclass(frozen=True, slots=True)
class _FirstPass:
    """What one query over the checks gives: the flags, the frame with its ``masked`` column,
    that frame as the model sees it (:func:`apply_mask`), how many seconds each check flagged,
    and what the rest of the screen reads of the seconds it keeps (those neither outside the
    session nor stray)."""

    flags: pl.DataFrame
    marked: pl.DataFrame
    provisional: pl.DataFrame
    counts: dict[str, int]
    #: The model's view of the distance, over every second and over the kept ones.
    everywhere: _Spread
    kept: _Spread
    #: Kept seconds with a speed (in the model's view).
    kept_speeds: int
    kept_rows: int
    #: Seconds from the first kept second to the last (None without one).
    kept_spread_s: float | None
    kept_start: datetime | None
    #: Which seconds are outside the session or stray.
    outside: pl.Series


def _first_pass(frame: pl.DataFrame, checks: dict[str, pl.Expr]) -> Steps[_FirstPass]:
    """:class:`_FirstPass` from one query (as separate eager calls each would pay the per-query
    cost again), and a second for the ``masked`` lists only when some check failed: most
    sessions pass every check."""
    names = list(checks)
    # Whether a channel is masked is read from the flags (a column per channel), not from the
    # ``masked`` lists: the same answer for less work.
    hidden, rebuilt = _mask_exprs(from_hits=True)
    combined = yield (
        frame.lazy()
        .with_columns(**{f"_flag_{n}": e.fill_null(_FALSE) for n, e in checks.items()})
        .with_columns(*[pl.col(f"_flag_{n}").sum().alias(f"_count_{n}") for n in names],
                      *_hit_exprs(tuple(names), "_flag_"), _OUTSIDE.alias("_outside"))
        .with_columns(*[e.alias(f"_view_{c}") for c, e in hidden.items()], rebuilt.alias("_view_distance_m"))
        .with_columns(*_KEPT_FACTS)
    )
    counts = {n: int(combined.get_column(f"_count_{n}")[0]) for n in names}
    if any(counts.values()):
        masked = (yield combined.lazy().select(_masked_from_hits().alias("masked"))).get_column("masked")
    else:
        masked = pl.Series("masked", dtype=pl.List(pl.String)).clear(frame.height)
    flags = pl.DataFrame([combined.get_column(f"_flag_{n}").alias(n) for n in names])
    marked = pl.DataFrame([*[combined.get_column(c) for c in frame.columns], masked])
    provisional = pl.DataFrame([
        combined.get_column(f"_view_{c}").alias(c) if c in CHANNELS else combined.get_column(c) for c in frame.columns
    ] + [masked])
    fact = {name: combined.get_column(name)[0] for name in _KEPT_FACT_NAMES}
    return _FirstPass(
        flags, marked, provisional, counts,
        everywhere=_Spread(fact["_distances"], fact["_spread"]),
        kept=_Spread(fact["_kept_distances"], fact["_kept_spread"]),
        kept_speeds=fact["_kept_speeds"], kept_rows=fact["_kept_rows"],
        kept_spread_s=fact["_kept_spread_s"], kept_start=fact["_kept_start"],
        outside=combined.get_column("_outside"),
    )


#: Seconds outside the session's span or stray (from the flag columns of :func:`_first_pass`).
_OUTSIDE: Final = pl.col("_flag_outside_session") | pl.col("_flag_stray_records")


def _kept_facts() -> tuple[pl.Expr, ...]:
    kept = ~pl.col("_outside")
    d, ts = pl.col("_view_distance_m"), pl.col("ts_utc")
    kept_d = d.filter(kept)
    seconds = (ts.dt.epoch("us") / 1e6).filter(kept)
    return (
        d.count().alias("_distances"),
        (d.max() - d.min()).alias("_spread"),
        kept_d.count().alias("_kept_distances"),
        (kept_d.max() - kept_d.min()).alias("_kept_spread"),
        pl.col("_view_speed_mps").filter(kept).count().alias("_kept_speeds"),
        ts.filter(kept).len().alias("_kept_rows"),
        (seconds.max() - seconds.min()).alias("_kept_spread_s"),
        ts.filter(kept).min().alias("_kept_start"),
    )


#: The scalars of :class:`_FirstPass` (each a column of one repeated value in its query).
_KEPT_FACTS: Final = _kept_facts()
_KEPT_FACT_NAMES: Final = tuple(e.meta.output_name() for e in _KEPT_FACTS)


_FALSE: Final = pl.lit(False)


def _masked_column(flags: pl.DataFrame) -> pl.Series:
    """The names of the channels some check failed, per second; null where none failed."""
    query = flags.lazy().with_columns(*_hit_exprs(tuple(flags.columns))).select(_masked_from_hits().alias("masked"))
    return collect(query).get_column("masked")


@lru_cache(maxsize=64)
def _hit_exprs(flagged: tuple[str, ...], prefix: str = "") -> tuple[pl.Expr, ...]:
    """Per channel, ``_hit_<channel>``: did some check of ``flagged`` (flag columns ``prefix +
    name``) fail it this second? One expression per set of checks, built once."""
    return tuple(
        pl.any_horizontal([pl.col(prefix + c.name) for c in CHECKS if channel in c.channels and c.name in flagged])
        .alias(f"_hit_{channel}")
        for channel in CHANNELS
    )


@lru_cache(maxsize=1)
def _masked_from_hits() -> pl.Expr:
    """The names of the channels hit this second (:func:`_hit_exprs`); null where none was."""
    masked = pl.concat_list([pl.when(pl.col(f"_hit_{channel}")).then(pl.lit(channel)) for channel in CHANNELS]).list.drop_nulls()
    return pl.when(masked.list.len() > 0).then(masked)


def cap_session_intensity(
    frames: Sequence[pl.DataFrame], activities: Sequence[Activity], params: QualityParams
) -> list[tuple[pl.DataFrame, str | None]]:
    """Scale each session's intensity down when it is beyond what anyone holds for its length
    (``frames``: derived-signal frames, one per session, each of the activity in its place in
    ``activities``), and say why in the warning next to it (None: left as it was).

    An hour at IF 1 is by definition the most an athlete can hold; the best 20 minutes are
    about 5 % above it (Allen & Coggan's threshold test takes 95 % of 20-minute power). A
    session whose root-mean-square IF over 20 minutes or more exceeds ``max_session_if`` was
    measured against thresholds that are too low for this athlete (the defaults, say, for a
    strong rower): every second's IF is scaled by the same factor, as if the thresholds were
    raised that much, and the workout says so. Without it one such session outweighs a month.
    The sessions' sums are one call (``collect_all``), not a query each.
    """
    moving = pl.col("moving") & pl.col("intensity_factor").is_not_null()
    sums = (pl.col("dt_s").filter(moving).sum(), (pl.col("intensity_factor").pow(2) * pl.col("dt_s")).filter(moving).sum())
    capped = [i for i, activity in enumerate(activities) if activity in _CAPPED]
    measured = dict(zip(capped, collect_all([frames[i].lazy().select(*sums) for i in capped]), strict=True))
    out: list[tuple[pl.DataFrame, str | None]] = []
    for i, frame in enumerate(frames):
        seconds, mean_square = measured[i].row(0) if i in measured else (None, None)
        out.append(_capped(frame, seconds, mean_square, params))
    return out


#: The activities whose intensity :func:`cap_session_intensity` may cap.
_CAPPED: Final = frozenset({Activity.ON_FOOT, Activity.BIKE, Activity.ROW, Activity.ELLIPTICAL, Activity.STAIR})


def _capped(frame: pl.DataFrame, seconds: float | None, mean_square: float | None,
            params: QualityParams) -> tuple[pl.DataFrame, str | None]:
    """One session's :func:`cap_session_intensity`, from its moving seconds and the sum of its
    squared IF over them (None: an activity never capped)."""
    if not seconds or seconds < params.session_if_min_s or mean_square is None:
        return frame, None
    session_if = (mean_square / seconds) ** 0.5
    if session_if <= params.max_session_if:
        return frame, None
    factor = params.max_session_if / session_if
    warning = (
        f"intensity: a session IF of {session_if:.2f} over {seconds / 60:.0f} min is more than anyone holds against "
        f"their threshold (at most {params.max_session_if:.2f}): this athlete's thresholds are too low for it, so its "
        f"intensity was scaled to {params.max_session_if:.2f}; set the athlete's thresholds in hamflow.toml"
    )
    return frame.with_columns(pl.col("intensity_factor") * factor), warning


def apply_mask(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame as the model sees it: masked values missing, and a distance that advances only
    by the steps the screen kept (so one jump does not shift every later distance)."""
    hidden, rebuilt = _mask_exprs()
    return frame.with_columns(*hidden.values()).with_columns(rebuilt.alias("distance_m"))


@lru_cache(maxsize=2)
def _mask_exprs(*, from_hits: bool = False) -> tuple[dict[str, pl.Expr], pl.Expr]:
    """:func:`apply_mask`'s expressions: the hidden channels other than distance, and the rebuilt
    distance (which reads only the distance and ``masked``). The same for every session, so
    built once. ``from_hits``: whether a channel is masked is read from its ``_hit_<channel>``
    column (:func:`_hit_exprs`) instead of the ``masked`` lists."""

    def masked(channel: str) -> pl.Expr:
        return pl.col(f"_hit_{channel}") if from_hits else pl.col("masked").list.contains(channel).fill_null(False)

    hidden = {c: pl.when(masked(c)).then(None).otherwise(pl.col(c)).alias(c) for c in CHANNELS if c != "distance_m"}
    d = pl.col("distance_m")
    step = d.forward_fill().diff().clip(lower_bound=0.0)
    kept = pl.when(masked("distance_m")).then(0.0).otherwise(step).fill_null(0.0)
    rebuilt = pl.when(d.is_not_null() & ~masked("distance_m")).then(d.drop_nulls().first() + kept.cum_sum())
    return hidden, rebuilt


def _check_exprs(
    activity: Activity,
    totals: DeviceTotals,
    params: QualityParams,
    thresholds: Thresholds,
) -> dict[str, pl.Expr]:
    """Every check's expression, in the order of :data:`CHECKS`: the session's own span and
    maxima from ``totals``, the rest built once per sport and config (:func:`_config_checks`)."""
    fixed = _config_checks(activity, params, thresholds)
    v = pl.col("speed_mps")
    session: dict[str, pl.Expr] = {"outside_session": _outside_session(totals, params)}
    if totals.max_speed_mps is not None and totals.max_speed_mps > 0:
        session["speed_device_max"] = v > totals.max_speed_mps * (1 + params.session_max_tolerance) + 0.5
    if totals.max_power_w is not None and totals.max_power_w > 0:
        session["power_device_max"] = pl.col("power_w") > totals.max_power_w * (1 + params.session_max_tolerance) + 10.0
    merged = {**fixed, **session}
    return {c.name: merged[c.name] for c in CHECKS if c.name in merged}


@lru_cache(maxsize=64)
def _config_checks(activity: Activity, params: QualityParams, thresholds: Thresholds) -> dict[str, pl.Expr]:
    """The checks that depend only on the sport and the config. Callers must not change the dict."""
    bounds = bounds_for(activity, params)
    v, d, alt = pl.col("speed_mps"), pl.col("distance_m"), pl.col("altitude_m")
    step_s = pl.col("ts_utc").diff().dt.total_seconds()
    d_step = d.forward_fill().diff()
    out: dict[str, pl.Expr] = {}
    # The largest stretch of records without a pause longer than max_pause_s is the session;
    # records far from it carry damaged time stamps, and everything measured against them too.
    stretch = (pl.col("ts_utc").diff().dt.total_seconds().fill_null(0) > params.max_pause_s).cum_sum()
    main = stretch.value_counts(sort=True).struct.field(stretch.meta.output_name()).first()
    out["stray_records"] = stretch != main
    out["speed_bound"] = v > bounds.max_speed_mps
    if activity is Activity.ON_FOOT:
        # Where the device gives no speed (standing, or a watch that leaves it out), the
        # distance says how fast the athlete went: a jump is judged against both.
        reference = pl.coalesce(v, pl.when(step_s == 1).then(d_step.clip(lower_bound=0.0)))
        median = reference.rolling_median(params.spike_window_s, center=True, min_samples=1)
        out["speed_spike"] = (v - median).abs() > params.max_speed_jump_mps
        walking = steps_per_minute() < thresholds.run_min_cadence_spm
        out["speed_walking"] = walking & (v > params.max_walking_speed_mps)
    out["distance_jump"] = (d_step > bounds.max_speed_mps * step_s + _DISTANCE_SLACK_M) | (d_step < -_DISTANCE_SLACK_M)
    alt_median = alt.rolling_median(params.spike_window_s, center=True, min_samples=1)
    half = params.spike_window_s // 2
    out["altitude_jump"] = (alt - alt_median).abs() > bounds.max_vertical_speed_mps * max(half, 1)
    out["power_bound"] = pl.col("power_w") > bounds.max_power_w
    hr = pl.col("heart_rate_bpm")
    out["heart_rate_bound"] = (hr < params.min_heart_rate_bpm) | (hr > params.max_heart_rate_bpm)
    out["cadence_bound"] = pl.col("cadence") > bounds.max_cadence
    return out


def _outside_session(totals: DeviceTotals, params: QualityParams) -> pl.Expr:
    """Records outside the session's own span, when the session is consistent with itself."""
    if totals.start_utc is None or totals.elapsed_s is None or not 0 < totals.elapsed_s <= MAX_ELAPSED_S:
        return pl.lit(False)
    if totals.timer_s is not None and totals.timer_s > totals.elapsed_s + params.session_span_tolerance_s:
        return pl.lit(False)  # a timer longer than the elapsed time: the session's span is wrong
    tolerance = timedelta(seconds=params.session_span_tolerance_s)
    start = totals.start_utc - tolerance
    end = totals.start_utc + timedelta(seconds=totals.elapsed_s) + tolerance
    ts = pl.col("ts_utc")
    return (ts < utc_literal(start)) | (ts > utc_literal(end))


def _distance_mismatch(first: _FirstPass, totals: DeviceTotals, params: QualityParams) -> str | None:
    """A sentence when the records' distance (after the other checks) and the session's
    disagree beyond the ratio; the session's distance is then the one reported, and the records'
    speed and distance are masked throughout."""
    if totals.distance_m is None or totals.distance_m <= 0:
        return None
    distances, spread = first.kept.distances, first.kept.spread
    if distances >= 2 and spread is not None and spread > 0:
        records_m = float(spread)
    elif first.kept_speeds:
        kept = first.provisional.filter(~first.outside)
        records_m = float((kept.get_column("speed_mps").fill_null(0.0) * kept.get_column("dt_s")).sum())
    else:
        return None
    if records_m < 100.0:
        return None
    if totals.distance_m >= records_m * params.distance_mismatch_ratio:
        return None  # records missing part of the session: incomplete, not wrong (said below)
    if records_m < totals.distance_m * params.distance_mismatch_ratio:
        return None
    return (
        f"distance: the records cover {records_m / 1000:.1f} km, the session says {totals.distance_m / 1000:.1f} km: "
        "the session's distance is used and the records' speed and distance are not trusted"
    )


def _records_short(everywhere: _Spread, totals: DeviceTotals, params: QualityParams) -> str | None:
    """A sentence when the records cover much less distance than the session (a device that
    saved only part of its track): the records are used as they are, the session's distance is
    reported."""
    if totals.distance_m is None or totals.distance_m <= 0:
        return None
    if everywhere.distances < 2:
        return None
    records_m = float(everywhere.spread) if everywhere.spread is not None else 0.0
    if records_m <= 0 or totals.distance_m < records_m * params.distance_mismatch_ratio:
        return None
    return (
        f"distance: the records cover only {records_m / 1000:.1f} of the session's {totals.distance_m / 1000:.1f} km: "
        "part of the session was not recorded"
    )


def _bound_texts(totals: DeviceTotals, params: QualityParams, bounds: ChannelBounds) -> dict[str, str]:
    return {
        "speed_bound": f"{bounds.max_speed_mps:g}",
        "speed_spike": f"{params.max_speed_jump_mps:g}",
        "speed_walking": f"{params.max_walking_speed_mps:g}",
        "speed_device_max": f"{totals.max_speed_mps or 0:.1f}",
        "distance_jump": f"{bounds.max_speed_mps:g}",
        "altitude_jump": f"{bounds.max_vertical_speed_mps:g}",
        "power_bound": f"{bounds.max_power_w:,.0f}",
        "power_device_max": f"{totals.max_power_w or 0:,.0f}",
        "heart_rate_bound": f"{params.min_heart_rate_bpm:g}-{params.max_heart_rate_bpm:g}",
        "cadence_bound": f"{bounds.max_cadence:g}",
    }
