"""The report's charts as Vega-Lite specs (built with Altair).

Posterior chain is always the same magenta and quads the same blue, on every chart, so a coach
learns the colours once. Every chart has a title, axis units and a legend.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import altair as alt
import polars as pl

from ..model.config import HamflowConfig
from ..model.flags import HARD_SESSION_GAP, POSTERIOR_LOAD_SPIKE, SPRINT_SESSIONS
from ..model.patterns import CHART_ORDER, SPECS, Side
from .workout import WorkoutTrace

POSTERIOR = "#b0186b"
QUAD = "#1f77c4"
NEUTRAL = "#9e9e9e"
WARN = "#e65100"
#: The colour of each side, for anything about one side (a weekly flag's chart).
SIDE_COLOURS: dict[Side, str] = {Side.POSTERIOR: POSTERIOR, Side.QUAD: QUAD, Side.NONE: NEUTRAL}

#: Movement patterns from most hip-extension to most knee-extension, coloured from the
#: posterior colour through grey to the quad colour (each pattern's declared colour and rank).
PATTERN_COLOURS: dict[str, str] = {p.value: SPECS[p].colour for p in CHART_ORDER}


def every_week(first: date, last: date) -> list[str]:
    """Every Monday from ``first``'s week to ``last``'s, as ISO dates: the weeks axis of every
    weekly chart, so a week without data keeps its place and the charts line up."""
    monday = first - timedelta(days=first.weekday())
    return [(monday + timedelta(weeks=i)).isoformat() for i in range((last - monday).days // 7 + 1)]


def _with_week(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ``week``: its ``week_start`` as an ISO date, the weeks axis's field."""
    return frame.with_columns(pl.col("week_start").cast(pl.Date).dt.strftime("%Y-%m-%d").alias("week"))


def _week_axis(weeks: list[str] | None) -> alt.X:
    """One band per week (ordinal), so weekly bars are as wide as their week; ``weeks``: every
    week of the window (None: the weeks in the data)."""
    scale = alt.Scale(domain=weeks) if weeks is not None else alt.Undefined
    return alt.X("week:O", title="Week starting (Monday)", scale=scale,
                 axis=alt.Axis(labelExpr="utcFormat(toDate(datum.value), '%d %b')", labelAngle=-40, labelOverlap="greedy"))


_WEEK_TIP = alt.Tooltip("week:N", title="week")


def _share_layers(weeks: pl.DataFrame, key: str, target: tuple[float, float], x: alt.X, tip: alt.Tooltip) -> list[alt.Chart]:
    """The posterior share line and its target band, on one [0, 1] scale on the right axis."""
    band = alt.Chart(pl.DataFrame({"share": list(target)}).to_arrow()).mark_rule(color="#222", strokeDash=[4, 4], opacity=0.7).encode(
        y=alt.Y("share:Q", scale=alt.Scale(domain=[0, 1]), axis=None)
    )
    share = alt.Chart(weeks.select(key, "posterior_share").to_arrow()).mark_line(point=True, color="#222").encode(
        x=x,
        y=alt.Y("posterior_share:Q", title="Posterior share", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%", orient="right")),
        tooltip=[tip, alt.Tooltip("posterior_share:Q", format=".0%", title="posterior share")],
    )
    return [band, share]


def _loads_long(weeks: pl.DataFrame, key: str) -> pl.DataFrame:
    return weeks.select(key, "posterior_load", "quad_load").unpivot(
        index=key, variable_name="load", value_name="points"
    ).with_columns(pl.col("load").replace({"posterior_load": "Posterior chain", "quad_load": "Quads"}))


_LOAD_COLOUR = alt.Color("load:N", title="Load on", scale=alt.Scale(domain=["Posterior chain", "Quads"], range=[POSTERIOR, QUAD]))
_LOAD_TITLE = "Load (points; 1 h at threshold = 100)"


def load_chart(weeks: pl.DataFrame, target: tuple[float, float], domain: list[str] | None = None) -> alt.TopLevelMixin:
    """Weekly posterior vs quad load (stacked), with posterior share and its target band."""
    weeks = _with_week(weeks)
    bars = alt.Chart(_loads_long(weeks, "week").to_arrow()).mark_bar().encode(
        x=_week_axis(domain),
        y=alt.Y("points:Q", title=_LOAD_TITLE, stack="zero"),
        color=_LOAD_COLOUR,
        tooltip=[_WEEK_TIP, "load:N", alt.Tooltip("points:Q", format=".0f")],
    )
    chart: alt.TopLevelMixin = alt.layer(bars, *_share_layers(weeks, "week", target, _week_axis(domain), _WEEK_TIP)).resolve_scale(
        y="independent").properties(
        title=alt.Title("Weekly load: posterior chain vs quads",
                        subtitle=f"Line: posterior share (right axis); dashed: target {target[0]:.0%}–{target[1]:.0%}"),
        width="container", height=260,
    )
    return chart


def season_chart(weeks: pl.DataFrame, target: tuple[float, float]) -> alt.TopLevelMixin:
    """The season: weekly posterior and quad load as lines over up to a year, with the posterior
    share, so the trend shows and not only the last weeks. ``weeks`` has every week (a week
    without workouts loads zero)."""
    weeks = _with_week(weeks)
    x = _week_axis(weeks["week"].to_list())
    lines = alt.Chart(_loads_long(weeks, "week").to_arrow()).mark_line(strokeWidth=2).encode(
        x=x, y=alt.Y("points:Q", title=_LOAD_TITLE), color=_LOAD_COLOUR,
        tooltip=[_WEEK_TIP, "load:N", alt.Tooltip("points:Q", format=".0f")],
    )
    first, last = str(weeks["week"].min()), str(weeks["week"].max())
    layers = [lines, *_share_layers(weeks, "week", target, x, _WEEK_TIP)]
    chart: alt.TopLevelMixin = alt.layer(*layers).resolve_scale(y="independent").properties(
        title=alt.Title(f"Season: {weeks.height} weeks, {first} to {last}",
                        subtitle=f"Posterior vs quad load per week; black: posterior share (right axis); dashed: target "
                                 f"{target[0]:.0%}–{target[1]:.0%}"),
        width="container", height=240,
    )
    return chart


def pattern_chart(patterns: pl.DataFrame, domain: list[str] | None = None) -> alt.TopLevelMixin:
    """Minutes per movement pattern per week."""
    patterns = _with_week(patterns)
    present = [p for p in PATTERN_COLOURS if p in set(patterns["pattern"].to_list())] or ["REST"]
    chart: alt.TopLevelMixin = alt.Chart(patterns.select("week", "pattern", "minutes").to_arrow()).mark_bar().encode(
        x=_week_axis(domain),
        y=alt.Y("minutes:Q", title="Minutes", stack="zero"),
        color=_pattern_colour(present),
        order=alt.Order("pattern_rank:Q"),
        tooltip=[_WEEK_TIP, "pattern:N", alt.Tooltip("minutes:Q", format=".0f")],
    ).transform_calculate(
        pattern_rank=f"indexof({present!r}, datum.pattern)"
    ).properties(title=alt.Title("Minutes per movement pattern", subtitle="Magenta: hip-extension dominant; blue: knee-extension dominant"),
                 width="container", height=260)
    return chart


def _pattern_colour(present: list[str], legend: alt.Legend | None = None) -> alt.Color:
    return alt.Color("pattern:N", title="Movement pattern", sort=present, legend=legend or alt.Undefined,
                     scale=alt.Scale(domain=present, range=[PATTERN_COLOURS[p] for p in present]))


def _limit_rule(limit: float) -> alt.Chart:
    rule: alt.Chart = alt.Chart(pl.DataFrame({"y": [limit]}).to_arrow()).mark_rule(color=WARN, strokeDash=[6, 4]).encode(y="y:Q")
    return rule


def sprint_chart(weeks: pl.DataFrame, max_sessions: float, colour: str = POSTERIOR, domain: list[str] | None = None) -> alt.TopLevelMixin:
    base = alt.Chart(_with_week(weeks).select("week", "sprint_sessions", "leg_day_sessions").to_arrow())
    bars = base.mark_bar(color=colour).encode(
        x=_week_axis(domain), y=alt.Y("sprint_sessions:Q", title="Sprint sessions", axis=alt.Axis(tickMinStep=1)),
        tooltip=[_WEEK_TIP, "sprint_sessions:Q", "leg_day_sessions:Q"],
    )
    return alt.layer(bars, _limit_rule(max_sessions)).properties(
        title=alt.Title("Sprint sessions per week", subtitle=f"Dashed: the guide's maximum of {max_sessions:g}"),
        width="container", height=200)


def spacing_chart(weeks: pl.DataFrame, min_gap_h: float, colour: str = POSTERIOR, domain: list[str] | None = None) -> alt.TopLevelMixin:
    data = _with_week(weeks).select("week", "min_hours_between_hard_sessions").drop_nulls()
    points = alt.Chart(data.to_arrow()).mark_point(filled=True, size=80, color=colour).encode(
        x=_week_axis(domain), y=alt.Y("min_hours_between_hard_sessions:Q", title="Hours", scale=alt.Scale(zero=True)),
        tooltip=[_WEEK_TIP, alt.Tooltip("min_hours_between_hard_sessions:Q", format=".0f", title="hours")],
    )
    return alt.layer(points, _limit_rule(min_gap_h)).properties(
        title=alt.Title("Shortest gap between hard sessions", subtitle=f"Sprint or leg-day sessions; dashed: {min_gap_h:g} h"),
        width="container", height=200)


def acwr_chart(
    weeks: pl.DataFrame, spike: float, days: tuple[int, int] = (7, 28), colour: str = POSTERIOR, domain: list[str] | None = None
) -> alt.TopLevelMixin:
    """The acute:chronic ratio; ``days``: the acute and chronic spans."""
    data = _with_week(weeks).select("week", "acwr_posterior")
    line = alt.Chart(data.to_arrow()).mark_line(point=True, color=colour).encode(
        x=_week_axis(domain),
        y=alt.Y("acwr_posterior:Q", title=f"Acute:chronic ratio ({days[0]} d : {days[1]} d)", scale=alt.Scale(zero=True)),
        tooltip=[_WEEK_TIP, alt.Tooltip("acwr_posterior:Q", format=".2f", title="ratio")],
    )
    return alt.layer(line, _limit_rule(spike)).properties(
        title=alt.Title("Posterior-load spike indicator", subtitle=f"A spike indicator, not an injury risk; dashed: {spike:g}"),
        width="container", height=200)


def workout_chart(trace: WorkoutTrace, labels: dict[str, str], width: int = 600) -> alt.TopLevelMixin:
    """One workout's signals over time, one row per signal it has (``labels``: signal -> axis
    title), on a background coloured by the movement pattern of each span."""
    end = max(float(trace.points["minute"].max() or 0.0), float(trace.spans["to_min"].max() or 0.0), 1.0)  # type: ignore[arg-type]
    x_scale = alt.Scale(domain=[0, end], nice=False)
    present = [p for p in PATTERN_COLOURS if p in set(trace.spans["pattern"].to_list())] or ["REST"]
    legend = alt.Legend(orient="top", direction="horizontal", title=None)
    rows = []
    for i, signal in enumerate(trace.signals):
        last = i == len(trace.signals) - 1
        x = alt.X("minute:Q", scale=x_scale, title="Minutes from the start" if last else None, axis=alt.Axis(labels=last, ticks=last))
        spans = alt.Chart(trace.spans.to_arrow()).mark_rect(opacity=0.55).encode(
            x=alt.X("from_min:Q", scale=x_scale), x2="to_min:Q", color=_pattern_colour(present, legend),
            tooltip=["pattern:N", alt.Tooltip("from_min:Q", title="from minute", format=".1f"),
                     alt.Tooltip("to_min:Q", title="to minute", format=".1f")],
        )
        line = alt.Chart(trace.points.to_arrow()).mark_line(color="#222", strokeWidth=1.3).encode(
            x=x, y=alt.Y(f"{signal}:Q", title=labels[signal], scale=alt.Scale(zero=False)),
            tooltip=[alt.Tooltip("minute:Q", format=".1f"), alt.Tooltip(f"{signal}:Q", title=labels[signal])],
        )
        rows.append(alt.layer(spans, line).properties(width=width, height=70))
    chart: alt.TopLevelMixin = alt.vconcat(*rows, spacing=6).properties(
        title=alt.Title("Signals over time, background by movement pattern",
                        subtitle=f"Averages over {trace.bucket_s} s", anchor="start"))
    return chart


def specs(weeks: pl.DataFrame, patterns: pl.DataFrame, *, target: tuple[float, float], config: HamflowConfig,
          skip: frozenset[str] = frozenset()) -> dict[str, dict[str, Any]]:
    """Every weekly chart of one athlete as a Vega-Lite spec, keyed by a DOM-friendly name, on
    one weeks axis (every week from the first shown to the latest), except those in ``skip``
    (which show why they are empty instead). The flags' charts draw the flag's own limit, in its
    side's colour, from ``config``."""
    w = config.weekly
    first, last = weeks["week_start"].min(), weeks["week_start"].max()
    assert isinstance(first, date) and isinstance(last, date)  # a non-empty DATE column
    domain = every_week(first, last)
    charts: dict[str, alt.TopLevelMixin] = {
        "load": load_chart(weeks, target, domain),
        "patterns": pattern_chart(patterns, domain),
        "sprints": sprint_chart(weeks, SPRINT_SESSIONS.limit(config), SIDE_COLOURS[SPRINT_SESSIONS.side], domain),
        "spacing": spacing_chart(weeks, HARD_SESSION_GAP.limit(config), SIDE_COLOURS[HARD_SESSION_GAP.side], domain),
        "acwr": acwr_chart(weeks, POSTERIOR_LOAD_SPIKE.limit(config), (w.acute_days, w.chronic_days),
                           SIDE_COLOURS[POSTERIOR_LOAD_SPIKE.side], domain),
    }
    return {name: chart.to_dict() for name, chart in charts.items() if name not in skip}
