"""What next: an athlete's week held against the guide's rules, with one or two plain suggestions.

Pure: it reads an athlete's stored weekly rows and workouts (frames as the store returns them),
the config and a *now*, and returns a :class:`Guidance`. ``hamflow next``, the report's "What
next" panel and the ingest run summary all show it.

The rules are the ones the weekly flags hold a week against, read from their declarations in
:mod:`.flags` (so ``[weekly]`` changes the guidance as it changes the flags), plus the
``[guidance]`` numbers of the config:

- sprint sessions this week against :data:`~.flags.SPRINT_SESSIONS`' limit (2);
- the next hard (sprint or leg-day) session no earlier than :data:`~.flags.HARD_SESSION_GAP`'s
  limit (48 h, 72 h with ``weekly.strict_spacing``) after the last one; with the week's sprint
  sessions used up, the next *sprint* session waits for Monday too;
- incline-walk and rowing sessions together against ``guidance.posterior_sessions_min/max`` (3-4);
- the posterior share of the last ``guidance.share_weeks`` weeks (4) against the target band;
- the week's acute:chronic ratio of posterior load against :data:`~.flags.POSTERIOR_LOAD_SPIKE`'s
  limit (1.5).

*This week* is the athlete's local week holding *now*. Local time is the athlete's configured
IANA zone, else the UTC offset of their latest workout, else UTC. Workouts that start after
*now* are left out, so an earlier *now* replays the guidance as it stood then (the ratio is the
stored week's). With *now* after the latest workout, the counts and the share are exactly those
of ``weekly_posterior_load``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, Final
from zoneinfo import ZoneInfo

import polars as pl

from .config import HamflowConfig
from .flags import HARD_SESSION_GAP, POSTERIOR_LOAD_SPIKE, SPRINT_SESSIONS

#: Said once wherever the guidance is shown.
DISCLAIMER: Final = "Guidance from the training guide's rules, not medical advice."

#: The workout columns :func:`guidance` reads.
WORKOUT_COLUMNS: Final[tuple[str, ...]] = (
    "start_utc", "utc_offset_min", "week_start", "sport", "sub_sport", "posterior_load", "quad_load",
    "is_sprint_session", "is_leg_day", "is_incline_walk", "is_rowing",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Guidance:
    """One athlete's week against the guide's rules. Local times are naive wall-clock times."""

    athlete_id: str
    now_utc: datetime
    now_local: datetime
    #: Monday of the local week holding *now*.
    week_start: date
    #: Start of the latest workout at or before *now* (None: none on record).
    latest_workout_local: datetime | None
    sprint_sessions: int
    max_sprint_sessions: int
    #: Sprint sessions are leg days too: this counts every hard session of the week.
    leg_day_sessions: int
    #: The spacing in force between hard sessions (h), and whether it is the strict one.
    min_gap_hours: float
    strict_spacing: bool
    last_hard_local: datetime | None
    last_hard_sport: str | None
    hours_since_last_hard: float | None
    #: The earliest a hard session respects the spacing (*now* when it already does).
    next_hard_local: datetime
    #: The earliest a sprint session respects the spacing and the week's maximum.
    next_sprint_local: datetime
    incline_walk_sessions: int
    rowing_sessions: int
    #: Incline-walk or rowing sessions this week (a workout counts once).
    posterior_sessions: int
    posterior_sessions_target: tuple[int, int]
    share_weeks: int
    #: Monday of the first week of the share's window.
    share_from: date
    posterior_load_window: float
    quad_load_window: float
    #: Posterior share of the window (None: no load in it).
    posterior_share: float | None
    target_share: tuple[float, float]
    #: The acute:chronic ratio of posterior load of this week's stored row (None: no row or no ratio).
    acwr_posterior: float | None
    spike_ratio: float
    suggestions: tuple[str, ...]

    @property
    def hard_ready(self) -> bool:
        """Does a hard session now respect the spacing?"""
        return self.next_hard_local <= self.now_local

    @property
    def spike(self) -> bool:
        return self.acwr_posterior is not None and self.acwr_posterior > self.spike_ratio

    @property
    def share_status(self) -> str:
        """``below``, ``within`` or ``above`` the target band, or ``unknown`` without load."""
        if self.posterior_share is None:
            return "unknown"
        low, high = self.target_share
        return "below" if self.posterior_share < low else "above" if self.posterior_share > high else "within"

    def rows(self) -> list[tuple[str, str]]:
        """The guidance as (label, value) lines, the same for the terminal, the report and markdown."""
        low, high = self.target_share
        lo_n, hi_n = self.posterior_sessions_target
        if self.last_hard_local is None:
            last = "none on record"
        else:
            last = f"{_stamp(self.last_hard_local)} ({self.last_hard_sport}, {_ago(self.hours_since_last_hard)})"
        spacing = f"{self.min_gap_hours:g} h" + (", strict" if self.strict_spacing else "")
        share = "no load" if self.posterior_share is None else f"{_pct(self.posterior_share)} ({self.share_status} the band)"
        acwr = "none for this week" if self.acwr_posterior is None else f"{self.acwr_posterior:.2f}"
        return [
            ("now", f"{_stamp(self.now_local)} (week of {self.week_start})"),
            ("latest workout", "none on record" if self.latest_workout_local is None else _stamp(self.latest_workout_local)),
            ("sprint sessions", f"{self.sprint_sessions} of at most {self.max_sprint_sessions} this week"),
            ("leg-day sessions", f"{self.leg_day_sessions} this week (sprint sessions included)"),
            ("last hard session", last),
            ("next hard session", self._from(self.next_hard_local) + f" (at least {spacing} after the last)"),
            ("next sprint session", self._from(self.next_sprint_local)),
            ("incline walks + rows", f"{self.incline_walk_sessions} + {self.rowing_sessions} this week; guide {lo_n}-{hi_n}"),
            (f"posterior share {self.share_weeks} wk", f"{share}; target {_band(low, high)}"),
            ("load spike", ("yes" if self.spike else "no") + f": acute:chronic {acwr}, spike above {self.spike_ratio:g}"),
        ]

    def _from(self, local: datetime) -> str:
        return "now" if local <= self.now_local else "from " + _stamp(local)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values: the same numbers as :meth:`rows`."""
        def iso(v: datetime | date | None) -> str | None:
            return None if v is None else v.isoformat()

        return {
            "athlete_id": self.athlete_id,
            "now_utc": iso(self.now_utc),
            "now_local": iso(self.now_local),
            "week_start": iso(self.week_start),
            "latest_workout_local": iso(self.latest_workout_local),
            "sprint_sessions": self.sprint_sessions,
            "max_sprint_sessions": self.max_sprint_sessions,
            "leg_day_sessions": self.leg_day_sessions,
            "min_gap_hours": self.min_gap_hours,
            "strict_spacing": self.strict_spacing,
            "last_hard_session_local": iso(self.last_hard_local),
            "last_hard_session_sport": self.last_hard_sport,
            "hours_since_last_hard_session": _round(self.hours_since_last_hard),
            "hard_session_ready": self.hard_ready,
            "next_hard_session_local": iso(self.next_hard_local),
            "next_sprint_session_local": iso(self.next_sprint_local),
            "incline_walk_sessions": self.incline_walk_sessions,
            "rowing_sessions": self.rowing_sessions,
            "posterior_sessions": self.posterior_sessions,
            "posterior_sessions_target": list(self.posterior_sessions_target),
            "share_weeks": self.share_weeks,
            "share_from": iso(self.share_from),
            "posterior_load": _round(self.posterior_load_window),
            "quad_load": _round(self.quad_load_window),
            "posterior_share": _round(self.posterior_share),
            "target_share": list(self.target_share),
            "share_status": self.share_status,
            "acwr_posterior": _round(self.acwr_posterior),
            "spike_ratio": self.spike_ratio,
            "spike": self.spike,
            "suggestions": list(self.suggestions),
        }


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def _pct(fraction: float) -> str:
    return f"{100.0 * fraction:.0f} %"


def _ago(hours: float | None) -> str:
    if hours is None:
        return "never"
    return f"{hours:.0f} h ago" if hours < 72 else f"{hours / 24:.0f} days ago"


def _band(low: float, high: float) -> str:
    return f"{100.0 * low:.0f}-{100.0 * high:.0f} %"


def _stamp(local: datetime) -> str:
    return f"{local:%A %Y-%m-%d %H:%M}"


def _when(local: datetime, now_local: datetime) -> str:
    """A time in plain words: the weekday and time within the next week, else with the date."""
    days = (local.date() - now_local.date()).days
    if days == 0:
        return f"today {local:%H:%M}"
    if 0 < days < 7:
        return f"{local:%A %H:%M}"
    return f"{local:%A %Y-%m-%d %H:%M}"


def window_start(now: datetime, config: HamflowConfig) -> date:
    """A date early enough for every workout :func:`guidance` may read (a reader's lower bound)."""
    gap_days = int(config.weekly.min_gap_hours // 24) + 1
    days = max(7 * config.guidance.share_weeks, gap_days) + 8  # a local week may start a day off UTC's
    day = (now.astimezone(UTC) if now.tzinfo is not None else now).date()
    return day - timedelta(days=days)


def local_zone(workouts: pl.DataFrame, tz: str | None, now: datetime) -> tzinfo:
    """The athlete's local time: the configured IANA zone, else the UTC offset of the latest
    workout at or before *now* that has one, else UTC."""
    if tz:
        return ZoneInfo(tz)
    if "utc_offset_min" in workouts.columns and not workouts.is_empty():
        frame = workouts.filter(pl.col("utc_offset_min").is_not_null())
        if now.tzinfo is not None:
            frame = frame.filter(pl.col("start_utc") <= now)
        if not frame.is_empty():
            offset = frame.sort("start_utc").get_column("utc_offset_min").item(-1)
            return timezone(timedelta(minutes=int(offset)))
    return UTC


def guidance(
    athlete_id: str,
    weeks: pl.DataFrame,
    workouts: pl.DataFrame,
    config: HamflowConfig,
    now: datetime,
) -> Guidance:
    """The guidance for ``athlete_id`` at ``now`` (aware; naive means the athlete's local time).

    ``weeks``: the athlete's rows of ``weekly_posterior_load`` (at least this week's, for the
    ratio); ``workouts``: their workouts with :data:`WORKOUT_COLUMNS`, covering at least the
    share's window and the spacing before *now* (see :func:`window_start`).
    """
    missing = [c for c in WORKOUT_COLUMNS if c not in workouts.columns]
    if missing:
        raise ValueError(f"workout frame lacks column(s): {', '.join(missing)}")
    workouts = workouts.with_columns(pl.col("start_utc").cast(pl.Datetime("us", "UTC")), pl.col("week_start").cast(pl.Date))
    zone = local_zone(workouts, config.profile(athlete_id).timezone, now)
    now_utc = (now if now.tzinfo is not None else now.replace(tzinfo=zone)).astimezone(UTC)
    now_local = _local(now_utc, zone)
    week_start = now_local.date() - timedelta(days=now_local.weekday())
    done = workouts.filter(pl.col("start_utc") <= now_utc).sort("start_utc")
    this_week = done.filter(pl.col("week_start") == week_start)

    def count(column: pl.Expr) -> int:
        return int(this_week.select(column.fill_null(False).sum()).item())

    w, g = config.weekly, config.guidance
    gap = float(HARD_SESSION_GAP.limit(config))
    max_sprints = int(SPRINT_SESSIONS.limit(config))
    sprints = count(pl.col("is_sprint_session"))

    hard = done.filter(pl.col("is_sprint_session").fill_null(False) | pl.col("is_leg_day").fill_null(False))
    last_hard_utc: datetime | None = hard.get_column("start_utc").item(-1) if not hard.is_empty() else None
    next_hard_utc = now_utc if last_hard_utc is None else max(now_utc, last_hard_utc + timedelta(hours=gap))
    next_sprint_utc = next_hard_utc
    if sprints >= max_sprints:
        monday = datetime.combine(week_start + timedelta(days=7), time()).replace(tzinfo=zone).astimezone(UTC)
        next_sprint_utc = max(next_sprint_utc, monday)

    share_from = week_start - timedelta(days=7 * (g.share_weeks - 1))
    window = done.filter(pl.col("week_start").is_between(share_from, week_start))
    pl_sum = float(window.get_column("posterior_load").fill_null(0.0).sum())
    ql_sum = float(window.get_column("quad_load").fill_null(0.0).sum())
    share = pl_sum / (pl_sum + ql_sum) if pl_sum + ql_sum > 0 else None

    row = weeks.filter(pl.col("week_start").cast(pl.Date) == week_start) if not weeks.is_empty() else weeks
    acwr: float | None = None
    if not row.is_empty() and row.get_column("acwr_posterior").item(0) is not None:
        acwr = float(row.get_column("acwr_posterior").item(0))

    result = Guidance(
        athlete_id=athlete_id,
        now_utc=now_utc,
        now_local=now_local,
        week_start=week_start,
        latest_workout_local=None if done.is_empty() else _started(done.row(-1, named=True), zone),
        sprint_sessions=sprints,
        max_sprint_sessions=max_sprints,
        leg_day_sessions=count(pl.col("is_leg_day")),
        min_gap_hours=gap,
        strict_spacing=w.strict_spacing,
        last_hard_local=None if hard.is_empty() else _started(hard.row(-1, named=True), zone),
        last_hard_sport=None if hard.is_empty() else _sport(hard.row(-1, named=True)),
        hours_since_last_hard=None if last_hard_utc is None else (now_utc - last_hard_utc).total_seconds() / 3600.0,
        next_hard_local=_local(next_hard_utc, zone),
        next_sprint_local=_local(next_sprint_utc, zone),
        incline_walk_sessions=count(pl.col("is_incline_walk")),
        rowing_sessions=count(pl.col("is_rowing")),
        posterior_sessions=count(pl.col("is_incline_walk").fill_null(False) | pl.col("is_rowing").fill_null(False)),
        posterior_sessions_target=(g.posterior_sessions_min, g.posterior_sessions_max),
        share_weeks=g.share_weeks,
        share_from=share_from,
        posterior_load_window=pl_sum,
        quad_load_window=ql_sum,
        posterior_share=share,
        target_share=(g.target_share_low, g.target_share_high),
        acwr_posterior=acwr,
        spike_ratio=float(POSTERIOR_LOAD_SPIKE.limit(config)),
        suggestions=(),
    )
    return _with_suggestions(result, config)


def _local(utc: datetime, zone: tzinfo) -> datetime:
    return utc.astimezone(zone).replace(tzinfo=None)


def _started(row: dict[str, Any], zone: tzinfo) -> datetime:
    """A workout's local start as stored (its own UTC offset), else in ``zone``."""
    stored = row.get("start_local")
    return stored if isinstance(stored, datetime) else _local(row["start_utc"], zone)


def _sport(row: dict[str, Any]) -> str:
    sub = row.get("sub_sport")
    return str(sub) if sub and sub != "generic" else str(row.get("sport"))


def _with_suggestions(g: Guidance, config: HamflowConfig) -> Guidance:
    """One or two suggestions, most pressing first: a spike, then the next hard session, then
    the posterior share or the week's incline walks and rows."""
    out: list[str] = []
    if g.spike:
        out.append(
            f"Posterior load is spiking ({g.acwr_posterior:.1f}x its {config.weekly.chronic_days}-day level, "
            f"above {g.spike_ratio:g}): keep the next sessions easy and build up gradually."
        )
    if g.sprint_sessions >= g.max_sprint_sessions:
        out.append(
            f"No more sprint sessions this week ({g.sprint_sessions} done, at most {g.max_sprint_sessions}); "
            f"earliest next sprint session: {_when(g.next_sprint_local, g.now_local)}."
        )
    elif g.hard_ready:
        since = "none on record" if g.hours_since_last_hard is None else f"the last was {_ago(g.hours_since_last_hard)}"
        out.append(f"A sprint or leg-day session fits from now ({since}; {g.min_gap_hours:g} h apart needed).")
    else:
        out.append(f"Earliest next sprint or leg-day session: {_when(g.next_hard_local, g.now_local)}.")
    low, high = g.target_share
    lo_n, hi_n = g.posterior_sessions_target
    missing = max(0, lo_n - g.posterior_sessions)
    if not g.spike:
        if g.share_status == "below":
            out.append(
                f"Add an incline walk or a row to lift the posterior share ({_pct(g.posterior_share or 0.0)} "
                f"over {g.share_weeks} weeks, target {_band(low, high)})."
            )
        elif missing:
            more = "one more incline walk or row" if missing == 1 else f"{missing} more incline walks or rows"
            out.append(f"Add {more} this week to reach the guide's {lo_n}-{hi_n}.")
        elif g.share_status == "above":
            out.append(
                f"The posterior share is above {_pct(high)} over {g.share_weeks} weeks: easy days can stay "
                "flat runs or rides."
            )
    return replace(g, suggestions=tuple(out[:2]))
