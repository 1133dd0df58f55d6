"""The weekly picture per athlete: loads, balance, session counts and safety flags.

Input is a frame of workout summaries, one row per workout (see :data:`REQUIRED_COLUMNS`), with
``week_start`` already set by the caller to the Monday of the workout's *local* ISO week (use
:func:`local_week_start`). An optional ``start_local`` column (naive local datetime) gives the
local day for the daily series; without it the UTC date is used, kept inside the row's week.

Output has exactly the columns of :data:`WEEKLY_SCHEMA`: one row per athlete and week from the
athlete's first to last week, weeks without workouts included with zeros. Rules:

- ``posterior_min`` / ``quad_min``: minutes in patterns with p >= 0.55 / p <= 0.40.
- ``min_hours_between_hard_sessions``: shortest start-to-start gap between two hard sessions
  (sprint or leg-day) starting in the week; null with fewer than two.
- ``acwr_posterior``: acute:chronic ratio of daily posterior load, both exponentially weighted
  (lambda = 2 / (N + 1), N = 7 and 28 days; Williams et al. 2017), read on the week's Sunday.
  Both averages start from the mean daily load of the athlete's first 28 days, and the ratio
  is null until 28 days of history exist or when the chronic load is zero.
- flags: declared in :mod:`.flags` (:data:`~.flags.WEEKLY_FLAGS`), with their numbers from
  ``[weekly]``. By default: ``sprint_sessions_over_2`` (more than 2 sprint sessions),
  ``sprint_gap_under_48h`` (a hard session starting less than 48 h - 72 h with
  ``strict_spacing`` - after the previous hard session, which may lie in the week before),
  ``posterior_load_spike`` (acwr > 1.5: a spike, not an injury prediction),
  ``quad_dominant_block`` (balance of the 28 days ending on the week's Sunday < 0.40),
  ``no_max_speed_exposure`` (high-speed or sprint distance in the 14 days ending on Sunday but
  no second at >= 95 % of vmax).

Rows are sorted and every sum is taken in a fixed order, so the result does not depend on the
order of the input rows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import polars as pl

from .config import HamflowConfig, WeeklyParams
from .flags import WEEKLY_FLAGS, flags_expr
from .stable import stable_sum
from .summary import WorkoutSummary

REQUIRED_COLUMNS: Final[tuple[str, ...]] = (
    "athlete_id",
    "start_utc",
    "week_start",
    "moving_s",
    "posterior_load",
    "quad_load",
    "posterior_s",
    "quad_s",
    "is_sprint_session",
    "is_leg_day",
    "is_incline_walk",
    "is_rowing",
    "hsr_distance_m",
    "sprint_distance_m",
    "maxv_s",
)

WEEKLY_SCHEMA: Final[dict[str, pl.DataType]] = {
    "athlete_id": pl.String(),
    "week_start": pl.Date(),
    "workouts": pl.Int32(),
    "moving_min": pl.Float64(),
    "posterior_load": pl.Float64(),
    "quad_load": pl.Float64(),
    "posterior_share": pl.Float64(),
    "posterior_min": pl.Float64(),
    "quad_min": pl.Float64(),
    "sprint_sessions": pl.Int32(),
    "leg_day_sessions": pl.Int32(),
    "min_hours_between_hard_sessions": pl.Float64(),
    "incline_walk_sessions": pl.Int32(),
    "rowing_sessions": pl.Int32(),
    "hsr_distance_m": pl.Float64(),
    "sprint_distance_m": pl.Float64(),
    "acwr_posterior": pl.Float64(),
    "flags": pl.List(pl.String()),
    "model_version": pl.String(),
}

#: The names of the weekly flags, in the order a week lists them (declared in :mod:`.flags`).
FLAGS: Final[tuple[str, ...]] = tuple(f.name for f in WEEKLY_FLAGS)


def local_start(start_utc: datetime, utc_offset_min: int | None, tz: str | None) -> datetime:
    """Local wall-clock start (naive): the file's own UTC offset, else the athlete's IANA zone
    (DST-correct for that instant), else UTC."""
    aware = start_utc if start_utc.tzinfo is not None else start_utc.replace(tzinfo=UTC)
    if utc_offset_min is not None:
        return (aware.astimezone(UTC) + timedelta(minutes=utc_offset_min)).replace(tzinfo=None)
    if tz:
        return aware.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
    return aware.astimezone(UTC).replace(tzinfo=None)


def local_week_start(start_utc: datetime, utc_offset_min: int | None, tz: str | None) -> date:
    """Monday of the local ISO week the workout started in (see :func:`local_start`)."""
    day = local_start(start_utc, utc_offset_min, tz).date()
    return day - timedelta(days=day.weekday())


def workout_row(summary: WorkoutSummary, utc_offset_min: int | None, timezone: str | None) -> dict[str, Any]:
    """A summary as one input row of :func:`weekly_table` (adds ``start_local``, ``week_start``).

    The summary must have a start time.
    """
    if summary.start_utc is None:
        raise ValueError("a workout without a start time has no week")
    row = summary.to_row()
    row["start_local"] = local_start(summary.start_utc, utc_offset_min, timezone)
    row["week_start"] = local_week_start(summary.start_utc, utc_offset_min, timezone)
    return row


def weekly_table(workouts: pl.DataFrame, config: HamflowConfig) -> pl.DataFrame:
    """The weekly table (columns :data:`WEEKLY_SCHEMA`) of a frame of workout summaries."""
    missing = [c for c in REQUIRED_COLUMNS if c not in workouts.columns]
    if missing:
        raise ValueError(f"workout frame lacks column(s): {', '.join(missing)}")
    params = config.weekly
    rows = _prepare(workouts)
    if rows.is_empty():
        return pl.DataFrame(schema=WEEKLY_SCHEMA)
    weeks = _week_grid(rows)
    totals = _week_totals(rows)
    hard = _hard_session_gaps(rows)
    daily = _daily_windows(rows, weeks, params)
    table = (
        weeks.join(totals, on=["athlete_id", "week_start"], how="left")
        .join(hard, on=["athlete_id", "week_start"], how="left")
        .join(daily, on=["athlete_id", "week_start"], how="left")
    )
    counts = ["workouts", "sprint_sessions", "leg_day_sessions", "incline_walk_sessions", "rowing_sessions"]
    sums = ["moving_min", "posterior_load", "quad_load", "posterior_min", "quad_min", "hsr_distance_m", "sprint_distance_m"]
    table = table.with_columns(
        *[pl.col(c).fill_null(0) for c in counts],
        *[pl.col(c).fill_null(0.0) for c in sums],
    )
    total = pl.col("posterior_load") + pl.col("quad_load")
    table = table.with_columns(
        pl.when(total > 0).then(pl.col("posterior_load") / total).alias("posterior_share"),
        flags_expr(config),
        pl.lit(config.model_version).alias("model_version"),
    )
    return table.sort("athlete_id", "week_start").select(list(WEEKLY_SCHEMA)).cast(WEEKLY_SCHEMA)  # type: ignore[arg-type]


def _prepare(workouts: pl.DataFrame) -> pl.DataFrame:
    """Required columns in canonical types and order, plus each workout's local day."""
    week = pl.col("week_start").cast(pl.Date)
    if "start_local" in workouts.columns:
        day = pl.col("start_local").cast(pl.Datetime("us")).dt.date()
    else:
        utc_day = pl.col("start_utc").dt.convert_time_zone("UTC").dt.date()
        day = pl.min_horizontal(pl.max_horizontal(utc_day, week), week + pl.duration(days=6))
    frame = workouts.select(
        pl.col("athlete_id").cast(pl.String),
        pl.col("start_utc").cast(pl.Datetime("us", "UTC")),
        week.alias("week_start"),
        day.cast(pl.Date).alias("day"),
        *[pl.col(c).cast(pl.Float64).fill_null(0.0) for c in (
            "moving_s", "posterior_load", "quad_load", "posterior_s", "quad_s",
            "hsr_distance_m", "sprint_distance_m", "maxv_s",
        )],
        *[pl.col(c).cast(pl.Boolean).fill_null(False) for c in (
            "is_sprint_session", "is_leg_day", "is_incline_walk", "is_rowing",
        )],
    )
    return frame.sort(frame.columns, nulls_last=True)


def _week_grid(rows: pl.DataFrame) -> pl.DataFrame:
    """Every week of every athlete from their first to their last week."""
    return (
        rows.group_by("athlete_id")
        .agg(pl.date_ranges(pl.col("week_start").min(), pl.col("week_start").max(), "1w").first().alias("week_start"))
        .explode("week_start")
        .sort("athlete_id", "week_start")
    )


def _week_totals(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.group_by("athlete_id", "week_start", maintain_order=True).agg(
        pl.len().alias("workouts"),
        (stable_sum(pl.col("moving_s")) / 60.0).alias("moving_min"),
        stable_sum(pl.col("posterior_load")).alias("posterior_load"),
        stable_sum(pl.col("quad_load")).alias("quad_load"),
        (stable_sum(pl.col("posterior_s")) / 60.0).alias("posterior_min"),
        (stable_sum(pl.col("quad_s")) / 60.0).alias("quad_min"),
        pl.col("is_sprint_session").sum().alias("sprint_sessions"),
        pl.col("is_leg_day").sum().alias("leg_day_sessions"),
        pl.col("is_incline_walk").sum().alias("incline_walk_sessions"),
        pl.col("is_rowing").sum().alias("rowing_sessions"),
        stable_sum(pl.col("hsr_distance_m")).alias("hsr_distance_m"),
        stable_sum(pl.col("sprint_distance_m")).alias("sprint_distance_m"),
    )


def _hard_session_gaps(rows: pl.DataFrame) -> pl.DataFrame:
    """Per week: shortest gap between its hard sessions, and the shortest time from any of them
    back to the hard session before it (looking back across the week boundary)."""
    hard = (
        rows.filter(pl.col("is_sprint_session") | pl.col("is_leg_day"))
        .select("athlete_id", "week_start", "start_utc")
        .unique()
        .sort("athlete_id", "start_utc")
        .with_columns(
            ((pl.col("start_utc") - pl.col("start_utc").shift(1)).dt.total_seconds() / 3600.0)
            .over("athlete_id")
            .alias("since_previous_h")
        )
        .with_columns(
            pl.when(pl.col("week_start") == pl.col("week_start").shift(1).over("athlete_id"))
            .then(pl.col("since_previous_h"))
            .alias("within_week_h")
        )
    )
    return hard.group_by("athlete_id", "week_start").agg(
        pl.col("within_week_h").min().alias("min_hours_between_hard_sessions"),
        pl.col("since_previous_h").min().alias("since_previous_hard_h"),
    )


def _daily_windows(rows: pl.DataFrame, weeks: pl.DataFrame, params: WeeklyParams) -> pl.DataFrame:
    """Rolling daily quantities read on each week's Sunday: ACWR, 28-day balance, 14-day speed."""
    span = weeks.group_by("athlete_id").agg(
        pl.col("week_start").min().alias("first"), pl.col("week_start").max().alias("last")
    )
    days = (
        span.select(
            "athlete_id",
            pl.date_ranges("first", pl.col("last") + pl.duration(days=6), "1d").alias("day"),
        )
        .explode("day")
        .sort("athlete_id", "day")
    )
    per_day = rows.group_by("athlete_id", "day", maintain_order=True).agg(
        stable_sum(pl.col("posterior_load")).alias("pl"),
        stable_sum(pl.col("quad_load")).alias("ql"),
        stable_sum(pl.col("hsr_distance_m") + pl.col("sprint_distance_m")).alias("fast_m"),
        stable_sum(pl.col("maxv_s")).alias("maxv_s"),
    )
    daily = days.join(per_day, on=["athlete_id", "day"], how="left").with_columns(
        pl.col("pl", "ql", "fast_m", "maxv_s").fill_null(0.0),
        pl.int_range(pl.len()).over("athlete_id").alias("day_index"),
    )
    acwr = pl.concat(
        [_acwr(part, params) for part in daily.partition_by("athlete_id", maintain_order=True)]
    )

    def window(column: str, n: int) -> pl.Expr:
        return pl.col(column).rolling_sum(window_size=n, min_samples=1).over("athlete_id")

    def full(n: int) -> pl.Expr:
        return pl.col("day_index") >= n - 1

    block_total = window("pl", params.quad_block_days) + window("ql", params.quad_block_days)
    daily = acwr.with_columns(
        pl.when(full(params.quad_block_days) & (block_total > 0))
        .then(window("pl", params.quad_block_days) / block_total)
        .alias("block_share"),
        pl.when(full(params.maxv_window_days)).then(window("fast_m", params.maxv_window_days)).alias("fast_m_window"),
        pl.when(full(params.maxv_window_days)).then(window("maxv_s", params.maxv_window_days)).alias("maxv_s_window"),
    )
    sundays = daily.filter(pl.col("day").dt.weekday() == 7)
    return sundays.select(
        "athlete_id",
        (pl.col("day") - pl.duration(days=6)).alias("week_start"),
        "acwr_posterior",
        "block_share",
        "fast_m_window",
        "maxv_s_window",
    )


def _acwr(daily: pl.DataFrame, params: WeeklyParams) -> pl.DataFrame:
    """Acute and chronic EWMA of one athlete's daily posterior load, and their ratio."""
    seed = daily.get_column("pl").head(params.chronic_days).mean() or 0.0
    values = pl.concat([pl.Series([seed], dtype=pl.Float64), daily.get_column("pl")])

    def ewma(n: int) -> pl.Series:
        return values.ewm_mean(alpha=2.0 / (n + 1), adjust=False).slice(1)

    acute, chronic = ewma(params.acute_days), ewma(params.chronic_days)
    enough = (pl.col("day_index") >= params.min_history_days - 1) & (pl.col("_chronic") > 0)
    return (
        daily.with_columns(acute.alias("_acute"), chronic.alias("_chronic"))
        .with_columns(pl.when(enough).then(pl.col("_acute") / pl.col("_chronic")).alias("acwr_posterior"))
        .drop("_acute", "_chronic")
    )
