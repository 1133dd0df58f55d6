"""The report's charts as Vega-Lite specs (built with Altair).

Posterior chain is always the same magenta and quads the same blue, on every chart, so a coach
learns the colours once. Every chart has a title, axis units and a legend.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from ..model.config import HamflowConfig
from ..model.flags import HARD_SESSION_GAP, POSTERIOR_LOAD_SPIKE, SPRINT_SESSIONS
from ..model.patterns import CHART_ORDER, SPECS, Side

POSTERIOR = "#b0186b"
QUAD = "#1f77c4"
NEUTRAL = "#9e9e9e"
WARN = "#e65100"
#: The colour of each side, for anything about one side (a weekly flag's chart).
SIDE_COLOURS: dict[Side, str] = {Side.POSTERIOR: POSTERIOR, Side.QUAD: QUAD, Side.NONE: NEUTRAL}

#: Movement patterns from most hip-extension to most knee-extension, coloured from the
#: posterior colour through grey to the quad colour (each pattern's declared colour and rank).
PATTERN_COLOURS: dict[str, str] = {p.value: SPECS[p].colour for p in CHART_ORDER}


def _week_axis() -> alt.X:
    """One band per week (ordinal), so weekly bars are as wide as their week."""
    return alt.X("yearmonthdate(week_start):O", title="Week starting (Monday)",
                 axis=alt.Axis(format="%d %b", formatType="time", labelAngle=-40))


def load_chart(weeks: pl.DataFrame, target: tuple[float, float]) -> alt.TopLevelMixin:
    """Weekly posterior vs quad load (stacked), with posterior share and its target band."""
    long = weeks.select("week_start", "posterior_load", "quad_load").unpivot(
        index="week_start", variable_name="load", value_name="points"
    ).with_columns(pl.col("load").replace({"posterior_load": "Posterior chain", "quad_load": "Quads"}))
    bars = alt.Chart(long.to_arrow()).mark_bar().encode(
        x=_week_axis(),
        y=alt.Y("points:Q", title="Load (points; 1 h at threshold = 100)", stack="zero"),
        color=alt.Color("load:N", title="Load on", scale=alt.Scale(domain=["Posterior chain", "Quads"], range=[POSTERIOR, QUAD])),
        tooltip=[alt.Tooltip("week_start:T", title="week"), "load:N", alt.Tooltip("points:Q", format=".0f")],
    )
    band = alt.Chart(pl.DataFrame({"share": list(target)}).to_arrow()).mark_rule(color="#222", strokeDash=[4, 4], opacity=0.7).encode(
        y=alt.Y("share:Q", scale=alt.Scale(domain=[0, 1]), axis=None)
    )
    share = alt.Chart(weeks.select("week_start", "posterior_share").to_arrow()).mark_line(point=True, color="#222").encode(
        x=_week_axis(),
        y=alt.Y("posterior_share:Q", title="Posterior share", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%", orient="right")),
        tooltip=[alt.Tooltip("week_start:T", title="week"), alt.Tooltip("posterior_share:Q", format=".0%", title="posterior share")],
    )
    # The target lines and the share line share one [0, 1] scale, on the right axis.
    chart: alt.TopLevelMixin = alt.layer(bars, band, share).resolve_scale(y="independent").properties(
        title=alt.Title("Weekly load: posterior chain vs quads",
                        subtitle=f"Line: posterior share (right axis); dashed: target {target[0]:.0%}–{target[1]:.0%}"),
        width="container", height=260,
    )
    return chart


def pattern_chart(patterns: pl.DataFrame) -> alt.TopLevelMixin:
    """Minutes per movement pattern per week."""
    present = [p for p in PATTERN_COLOURS if p in set(patterns["pattern"].to_list())] or ["REST"]
    chart: alt.TopLevelMixin = alt.Chart(patterns.to_arrow()).mark_bar().encode(
        x=_week_axis(),
        y=alt.Y("minutes:Q", title="Minutes", stack="zero"),
        color=alt.Color("pattern:N", title="Movement pattern", sort=present,
                        scale=alt.Scale(domain=present, range=[PATTERN_COLOURS[p] for p in present])),
        order=alt.Order("pattern_rank:Q"),
        tooltip=[alt.Tooltip("week_start:T", title="week"), "pattern:N", alt.Tooltip("minutes:Q", format=".0f")],
    ).transform_calculate(
        pattern_rank=f"indexof({present!r}, datum.pattern)"
    ).properties(title=alt.Title("Minutes per movement pattern", subtitle="Magenta: hip-extension dominant; blue: knee-extension dominant"),
                 width="container", height=260)
    return chart


def sprint_chart(weeks: pl.DataFrame, max_sessions: float, colour: str = POSTERIOR) -> alt.TopLevelMixin:
    base = alt.Chart(weeks.select("week_start", "sprint_sessions", "leg_day_sessions").to_arrow())
    bars = base.mark_bar(color=colour).encode(
        x=_week_axis(), y=alt.Y("sprint_sessions:Q", title="Sprint sessions", axis=alt.Axis(tickMinStep=1)),
        tooltip=[alt.Tooltip("week_start:T", title="week"), "sprint_sessions:Q", "leg_day_sessions:Q"],
    )
    rule = alt.Chart(pl.DataFrame({"y": [max_sessions]}).to_arrow()).mark_rule(color=WARN, strokeDash=[6, 4]).encode(y="y:Q")
    return alt.layer(bars, rule).properties(
        title=alt.Title("Sprint sessions per week", subtitle=f"Dashed: the guide's maximum of {max_sessions:g}"),
        width="container", height=200)


def spacing_chart(weeks: pl.DataFrame, min_gap_h: float, colour: str = POSTERIOR) -> alt.TopLevelMixin:
    data = weeks.select("week_start", "min_hours_between_hard_sessions").drop_nulls()
    points = alt.Chart(data.to_arrow()).mark_point(filled=True, size=80, color=colour).encode(
        x=_week_axis(), y=alt.Y("min_hours_between_hard_sessions:Q", title="Hours", scale=alt.Scale(zero=True)),
        tooltip=[alt.Tooltip("week_start:T", title="week"), alt.Tooltip("min_hours_between_hard_sessions:Q", format=".0f", title="hours")],
    )
    rule = alt.Chart(pl.DataFrame({"y": [min_gap_h]}).to_arrow()).mark_rule(color=WARN, strokeDash=[6, 4]).encode(y="y:Q")
    return alt.layer(points, rule).properties(
        title=alt.Title("Shortest gap between hard sessions", subtitle=f"Sprint or leg-day sessions; dashed: {min_gap_h:g} h"),
        width="container", height=200)


def acwr_chart(
    weeks: pl.DataFrame, spike: float, days: tuple[int, int] = (7, 28), colour: str = POSTERIOR
) -> alt.TopLevelMixin:
    """The acute:chronic ratio; ``days``: the acute and chronic spans."""
    data = weeks.select("week_start", "acwr_posterior")
    line = alt.Chart(data.to_arrow()).mark_line(point=True, color=colour).encode(
        x=_week_axis(), y=alt.Y("acwr_posterior:Q", title=f"Acute:chronic ratio ({days[0]} d : {days[1]} d)", scale=alt.Scale(zero=True)),
        tooltip=[alt.Tooltip("week_start:T", title="week"), alt.Tooltip("acwr_posterior:Q", format=".2f", title="ratio")],
    )
    rule = alt.Chart(pl.DataFrame({"y": [spike]}).to_arrow()).mark_rule(color=WARN, strokeDash=[6, 4]).encode(y="y:Q")
    return alt.layer(line, rule).properties(
        title=alt.Title("Posterior-load spike indicator", subtitle=f"A spike indicator, not an injury risk; dashed: {spike:g}"),
        width="container", height=200)


def specs(weeks: pl.DataFrame, patterns: pl.DataFrame, *, target: tuple[float, float], config: HamflowConfig) -> dict[str, dict[str, Any]]:
    """Every chart of one athlete as a Vega-Lite spec, keyed by a DOM-friendly name. The flags'
    charts draw the flag's own limit, in its side's colour, from ``config``."""
    w = config.weekly
    charts: dict[str, alt.TopLevelMixin] = {
        "load": load_chart(weeks, target),
        "patterns": pattern_chart(patterns),
        "sprints": sprint_chart(weeks, SPRINT_SESSIONS.limit(config), SIDE_COLOURS[SPRINT_SESSIONS.side]),
        "spacing": spacing_chart(weeks, HARD_SESSION_GAP.limit(config), SIDE_COLOURS[HARD_SESSION_GAP.side]),
        "acwr": acwr_chart(weeks, POSTERIOR_LOAD_SPIKE.limit(config), (w.acute_days, w.chronic_days),
                           SIDE_COLOURS[POSTERIOR_LOAD_SPIKE.side]),
    }
    return {name: chart.to_dict() for name, chart in charts.items()}
