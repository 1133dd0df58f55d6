"""The self-contained report page: every script inline, so it opens with no server and no
network (Vega, Vega-Lite and vega-embed come from vl-convert's bundle, about 1 MB)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2
import polars as pl
import vl_convert

from ..model.flags import flag_reason, flag_title, week_sentences
from . import charts
from .data import AthleteReport


@dataclass(frozen=True)
class ReportSettings:
    """Reference lines drawn on the charts (the same numbers the flags use)."""

    target_share: tuple[float, float] = (0.45, 0.60)
    max_sprint_sessions: int = 2
    min_gap_h: float = 48.0
    spike_ratio: float = 1.5


@lru_cache(maxsize=1)
def _vega_bundle() -> str:
    # A script may not contain its own end tag; the bundle does not, but keep the guarantee.
    return vl_convert.javascript_bundle().replace("</script", "<\\/script")


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    text = resources.files("hamflow.report").joinpath("template.html").read_text(encoding="utf-8")
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(text)


def _frame(rows: list[dict[str, Any]], dates: tuple[str, ...] = ("week_start",)) -> pl.DataFrame:
    frame = pl.DataFrame(rows, infer_schema_length=None)
    return frame.with_columns(pl.col(c).str.to_date() for c in dates if c in frame.columns)


def _athlete_view(a: AthleteReport, settings: ReportSettings) -> dict[str, Any]:
    weeks = _frame(a.weeks)
    patterns = _frame(a.patterns) if a.patterns else pl.DataFrame(
        {"week_start": [], "pattern": [], "minutes": []}, schema={"week_start": pl.Date, "pattern": pl.Utf8, "minutes": pl.Float64})
    specs = charts.specs(weeks, patterns, target=settings.target_share, max_sprints=settings.max_sprint_sessions,
                         min_gap_h=settings.min_gap_h, spike=settings.spike_ratio)
    latest = a.weeks[-1]
    flag_rows = [
        {"week_start": w["week_start"], "flag": f, "title": flag_title(f), "reason": flag_reason(f)}
        for w in reversed(a.weeks) for f in (w.get("flags") or [])
    ]
    return {
        "athlete_id": a.athlete_id, "latest": latest, "sentences": week_sentences(latest, settings.min_gap_h),
        "flag_rows": flag_rows, "workouts": a.workouts, "charts": specs,
        "weeks": a.weeks, "patterns": a.patterns,
    }


def render_report(athletes: list[AthleteReport], *, database: str, model_version: str,
                  settings: ReportSettings = ReportSettings(), generated: datetime | None = None) -> str:
    """The report HTML for ``athletes`` (an empty list gives the empty state)."""
    views = [_athlete_view(a, settings) for a in athletes]
    payload = {
        "database": database, "model_version": model_version,
        "athletes": [{k: v[k] for k in ("athlete_id", "weeks", "patterns", "workouts", "charts")} for v in views],
    }
    data_json = json.dumps(payload, default=str, separators=(",", ":")).replace("</", "<\\/")
    return _template().render(
        athletes=views, database=database, model_version=model_version,
        generated=(generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC"),
        vega_bundle=_markup(_vega_bundle()),
        data_json=_markup(data_json), posterior=charts.POSTERIOR, quad=charts.QUAD,
    )


def _markup(text: str) -> Any:
    from markupsafe import Markup

    return Markup(text)  # noqa: S704 - our own bundle and our own JSON, escaped for <script>
