"""The weekly flags, each declared once: its name, when it is raised, the number it holds the
week against, which side it is about, and its words. One vocabulary for the weekly table, the
report, the CLI and the docs.

Every number comes from the config in use, so the words say the numbers that raised the flag:
with ``weekly.strict_spacing`` the spacing flag is raised below 72 h and its text says 72 h. The
*name* is what the weekly table stores (``weekly_posterior_load.flags``) and never changes with
the config: ``sprint_sessions_over_2`` is raised above ``weekly.max_sprint_sessions``, whatever
that is.

A flag's condition reads the weekly table's columns (:data:`~hamflow.model.weekly.WEEKLY_SCHEMA`)
and a few working columns that :func:`~hamflow.model.weekly.weekly_table` adds before it drops
them again:

- ``since_previous_hard_h``: the shortest time from a hard session starting in the week back to
  the hard session before it, which may lie in the week before;
- ``block_share``: the posterior share of the ``weekly.quad_block_days`` ending on the week's
  Sunday (null without that much history);
- ``fast_m_window``, ``maxv_s_window``: high-speed and sprint metres, and seconds at near-maximal
  speed, in the ``weekly.maxv_window_days`` ending on Sunday (null without that much history).

A null condition does not raise the flag.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

import polars as pl

from .config import HamflowConfig
from .patterns import Side

#: A weekly row as the report and the CLI read it (column -> value).
Week = Mapping[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class WeeklyFlag:
    """One weekly flag. Every callable takes the config in use."""

    #: Stored in the weekly table; never renamed.
    name: str
    #: Which muscles the flag is about (its charts use that side's colour).
    side: Side
    #: When the week raises it: a condition on the weekly table's columns (see the module).
    raised: Callable[[HamflowConfig], pl.Expr]
    #: The number the week is held against: the dashed line of its chart.
    limit: Callable[[HamflowConfig], float]
    #: A short title, for a coach.
    title: Callable[[HamflowConfig], str]
    #: What it means and what to do.
    text: Callable[[HamflowConfig], str]
    #: The sentence for a week in the report's "what this means" (None: nothing to say). By
    #: default the text, when the week carries the flag.
    week: Callable[[Week, HamflowConfig], str | None] | None = None

    def sentence(self, week: Week, config: HamflowConfig) -> str | None:
        if self.week is not None:
            return self.week(week, config)
        return self.text(config) if self.name in (week.get("flags") or []) else None


def _pct(fraction: float) -> str:
    return f"{100.0 * fraction:.0f} %"


def _sessions(n: int) -> str:
    return f"{n} sprint session" + ("" if n == 1 else "s")


def _too_many_sprints(week: Week, config: HamflowConfig) -> str | None:
    w = config.weekly
    sprints = week.get("sprint_sessions") or 0
    if sprints <= w.max_sprint_sessions:
        return None
    return f"{sprints} sprint sessions this week: the guide is at most {w.max_sprint_sessions}, {w.min_gap_hours:g} h apart."


def _closest_hard_sessions(week: Week, config: HamflowConfig) -> str | None:
    gap = week.get("min_hours_between_hard_sessions")
    limit = config.weekly.min_gap_hours
    if gap is None or gap >= limit:
        return None
    return f"The closest two hard sessions were {gap:.0f} h apart; allow at least {limit:g} h."


def _spike(week: Week, config: HamflowConfig) -> str | None:
    acwr = week.get("acwr_posterior")
    if acwr is None or POSTERIOR_LOAD_SPIKE.name not in (week.get("flags") or []):
        return None
    return f"Posterior load is {acwr:.1f}x its {config.weekly.chronic_days}-day level: a spike, so build up gradually."


SPRINT_SESSIONS: Final = WeeklyFlag(
    name="sprint_sessions_over_2",
    side=Side.POSTERIOR,
    raised=lambda c: pl.col("sprint_sessions") > c.weekly.max_sprint_sessions,
    limit=lambda c: c.weekly.max_sprint_sessions,
    title=lambda c: f"More than {_sessions(c.weekly.max_sprint_sessions)}",
    text=lambda c: (
        f"The guide is at most {_sessions(c.weekly.max_sprint_sessions)} a week, "
        f"at least {c.weekly.min_gap_hours:g} h apart."
    ),
    week=_too_many_sprints,
)
HARD_SESSION_GAP: Final = WeeklyFlag(
    name="sprint_gap_under_48h",
    side=Side.POSTERIOR,
    raised=lambda c: pl.col("since_previous_hard_h") < c.weekly.min_gap_hours,
    limit=lambda c: c.weekly.min_gap_hours,
    title=lambda c: "Hard sessions too close",
    text=lambda c: (
        f"Two sprint or leg-day sessions were less than {c.weekly.min_gap_hours:g} h apart; eccentric "
        "hamstring strength is lowest about 40-48 h after hard work."
    ),
    week=_closest_hard_sessions,
)
POSTERIOR_LOAD_SPIKE: Final = WeeklyFlag(
    name="posterior_load_spike",
    side=Side.POSTERIOR,
    raised=lambda c: pl.col("acwr_posterior") > c.weekly.spike_ratio,
    limit=lambda c: c.weekly.spike_ratio,
    title=lambda c: "Posterior-load spike",
    text=lambda c: (
        f"The last {c.weekly.acute_days} days' posterior load is well above the {c.weekly.chronic_days}-day "
        f"level (acute:chronic ratio over {c.weekly.spike_ratio:g}). A spike indicator, not an injury "
        "prediction: build up more gradually."
    ),
    week=_spike,
)
QUAD_DOMINANT_BLOCK: Final = WeeklyFlag(
    name="quad_dominant_block",
    side=Side.QUAD,
    raised=lambda c: pl.col("block_share") < c.weekly.quad_block_max_share,
    limit=lambda c: c.weekly.quad_block_max_share,
    title=lambda c: "Quad-dominant " + ("month" if c.weekly.quad_block_days == 28 else f"{c.weekly.quad_block_days} days"),
    text=lambda c: (
        f"Over the last {c.weekly.quad_block_days} days less than {_pct(c.weekly.quad_block_max_share)} of the "
        "load reached the posterior chain. Add incline walks, rowing or hill sprints."
    ),
)
NO_MAX_SPEED_EXPOSURE: Final = WeeklyFlag(
    name="no_max_speed_exposure",
    side=Side.POSTERIOR,
    raised=lambda c: (pl.col("fast_m_window") > 0) & (pl.col("maxv_s_window") <= 0),
    limit=lambda c: c.model.thresholds.maxv_vmax_fraction,
    title=lambda c: "No near-maximal speed",
    text=lambda c: (
        f"High-speed running in the last {c.weekly.maxv_window_days} days but no second at "
        f"{_pct(c.model.thresholds.maxv_vmax_fraction)} or more of maximal speed; occasional near-maximal "
        "sprinting is associated with fewer hamstring injuries."
    ),
)

#: Every weekly flag, in the order a week lists them.
WEEKLY_FLAGS: Final[tuple[WeeklyFlag, ...]] = (
    SPRINT_SESSIONS,
    HARD_SESSION_GAP,
    POSTERIOR_LOAD_SPIKE,
    QUAD_DOMINANT_BLOCK,
    NO_MAX_SPEED_EXPOSURE,
)
FLAGS_BY_NAME: Final[Mapping[str, WeeklyFlag]] = MappingProxyType({f.name: f for f in WEEKLY_FLAGS})


def flags_expr(config: HamflowConfig) -> pl.Expr:
    """The ``flags`` column: the names of the flags each week raises, in :data:`WEEKLY_FLAGS` order."""
    raised = [pl.when(f.raised(config).fill_null(False)).then(pl.lit(f.name)) for f in WEEKLY_FLAGS]
    return pl.concat_list(raised).list.drop_nulls().alias("flags")


def flag_title(flag: str, config: HamflowConfig) -> str:
    """The title of a stored flag name (an unknown name is its own title)."""
    declared = FLAGS_BY_NAME.get(flag)
    return declared.title(config) if declared is not None else flag


def flag_reason(flag: str, config: HamflowConfig) -> str:
    """What a stored flag means, with the config's numbers (an unknown name is its own reason)."""
    declared = FLAGS_BY_NAME.get(flag)
    return declared.text(config) if declared is not None else flag


def week_sentences(week: Week, config: HamflowConfig) -> list[str]:
    """A short "what this means" for one weekly row, from its numbers and the config's."""
    out: list[str] = []
    share = week.get("posterior_share")
    if not week.get("workouts"):
        return ["No workouts this week."]
    if share is not None:
        out.append(
            f"{share * 100:.0f} % of this week's load reached the posterior chain "
            f"({week.get('posterior_load', 0):.0f} posterior vs {week.get('quad_load', 0):.0f} quad points, "
            f"{week.get('moving_min', 0):.0f} moving minutes)."
        )
    out += [s for f in WEEKLY_FLAGS if (s := f.sentence(week, config)) is not None]
    if len(out) == 1:
        out.append("No warning flags this week.")
    return out
