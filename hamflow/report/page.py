"""The self-contained report page: every script inline, so it opens with no server and no
network (Vega, Vega-Lite and vega-embed come from vl-convert's bundle, about 1 MB; see
:mod:`hamflow.report.bundle`).

The flags' words, the "what this means" sentences and the charts' reference lines come from the
config in use, the same config the rows should have been made with. The page shows the model
version of the rows; when the config in use gives another, it says so at the top instead of
mixing the two silently.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2
import polars as pl

from ..model.config import HamflowConfig
from ..model.flags import flag_reason, flag_title, week_sentences
from ..model.guidance import DISCLAIMER, Guidance
from . import charts, notes
from .bundle import vega_bundle
from .data import AthleteReport
from .workout import SIGNALS, WorkoutTrace


def model_versions(athletes: list[AthleteReport]) -> tuple[str, ...]:
    """The model versions the weekly rows shown were made with, sorted, each once."""
    return tuple(sorted({str(w["model_version"]) for a in athletes for w in a.weeks if w.get("model_version")}))


def version_warning(athletes: list[AthleteReport], config: HamflowConfig) -> str | None:
    """What to say when the rows were made with other model numbers than ``config``'s (else None)."""
    versions = model_versions(athletes)
    others = [v for v in versions if v != config.model_version]
    if not others:
        return None
    return (
        f"The rows shown were made with model {', '.join(versions)}, but the config in use gives model "
        f"{config.model_version}: the flags' words and the charts' limits follow the config in use, the "
        "numbers follow the rows. Write the report with the config the rows were made with "
        "(--config), or recompute the rows with this one (hamflow reprocess --config)."
    )


def _vega_bundle() -> str:
    # A script may not contain its own end tag; the bundle does not, but keep the guarantee.
    return vega_bundle().replace("</script", "<\\/script")


def _template_source(name: str) -> str:
    return resources.files("hamflow.report").joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=2)
def _template(name: str = "template.html") -> jinja2.Template:
    """A page template; the report and the one-workout page share ``workout_card.html``."""
    env = jinja2.Environment(loader=jinja2.FunctionLoader(_template_source), autoescape=True, undefined=jinja2.StrictUndefined)
    return env.get_template(name)


def _frame(rows: list[dict[str, Any]], dates: tuple[str, ...] = ("week_start",)) -> pl.DataFrame:
    frame = pl.DataFrame(rows, infer_schema_length=None)
    return frame.with_columns(pl.col(c).str.to_date() for c in dates if c in frame.columns)


def workout_view(w: dict[str, Any], trace: WorkoutTrace | None, name: str) -> dict[str, Any]:
    """One workout's card: its verdict and reasons, and the name of its chart (None when it
    recorded no speed, grade, power or heart rate to draw)."""
    drawn = trace is not None and bool(trace.signals)
    when = w.get("when") or str(w["start_local"])[:16].replace("T", " ")
    return {**w, "chart": name if drawn else None, "when": when}


def workout_spec(trace: WorkoutTrace) -> dict[str, Any]:
    """The Vega-Lite spec of one workout's chart."""
    spec: dict[str, Any] = charts.workout_chart(trace, dict(SIGNALS)).to_dict()
    return spec


def _athlete_view(a: AthleteReport, config: HamflowConfig, guidance: Guidance | None, today: date) -> dict[str, Any]:
    weeks = _frame(a.weeks)
    patterns = _frame(a.patterns) if a.patterns else pl.DataFrame(
        {"week_start": [], "pattern": [], "minutes": []}, schema={"week_start": pl.Date, "pattern": pl.Utf8, "minutes": pl.Float64})
    target = (config.guidance.target_share_low, config.guidance.target_share_high)
    acwr_empty, acwr_partial = notes.acwr_note(a.weeks, config.weekly.chronic_days)
    empty = {name: text for name, text in (("spacing", notes.spacing_empty(a.weeks)), ("acwr", acwr_empty)) if text}
    specs = charts.specs(weeks, patterns, target=target, config=config, skip=frozenset(empty))
    specs["season"] = charts.season_chart(_frame(a.season), target).to_dict()
    workouts = [workout_view(w, a.traces.get(str(w["workout_id"])), f"workout-{i}") for i, w in enumerate(a.workouts)]
    for w in workouts:
        if w["chart"]:
            specs[w["chart"]] = workout_spec(a.traces[str(w["workout_id"])])
    latest = a.weeks[-1]
    newest = max((datetime.fromisoformat(str(w["start_local"])).date() for w in a.workouts), default=None)
    flag_rows = [
        {"week_start": w["week_start"], "flag": f, "title": flag_title(f, config), "reason": flag_reason(f, config)}
        for w in reversed(a.weeks) for f in (w.get("flags") or [])
    ]
    return {
        "athlete_id": a.athlete_id, "latest": latest, "sentences": week_sentences(latest, config),
        "flag_rows": flag_rows, "workouts": workouts, "charts": specs, "empty": empty, "acwr_partial": acwr_partial,
        "latest_data": None if newest is None else notes.latest_data_note(newest, today),
        "weeks": a.weeks, "patterns": a.patterns, "thresholds": a.thresholds, "season": a.season,
        "next": None if guidance is None else {"rows": guidance.rows(), "suggestions": guidance.suggestions},
        "next_data": None if guidance is None else guidance.to_dict(),
    }


def render_report(athletes: list[AthleteReport], *, database: str, config: HamflowConfig,
                  generated: datetime | None = None, guidance: Mapping[str, Guidance] | None = None,
                  today: date | None = None) -> str:
    """The report HTML for ``athletes`` (an empty list gives the empty state), in the words and
    limits of ``config``, showing the model version of the rows (``config``'s without rows), and
    a "What next" panel for each athlete in ``guidance`` (by athlete id). How old each athlete's
    latest data is, is counted to ``today`` (default: the day ``generated``)."""
    guidance = guidance or {}
    generated = generated or datetime.now(UTC)
    views = [_athlete_view(a, config, guidance.get(a.athlete_id), today or generated.date()) for a in athletes]
    model_version = ", ".join(model_versions(athletes)) or config.model_version
    payload = {
        "database": database, "model_version": model_version, "config_model_version": config.model_version,
        "athletes": [
            {k: v[k] for k in ("athlete_id", "weeks", "patterns", "season", "workouts", "thresholds", "charts", "next_data")} for v in views
        ],
    }
    return _template().render(
        athletes=views, database=database, model_version=model_version,
        version_warning=version_warning(athletes, config),
        acute_days=config.weekly.acute_days, chronic_days=config.weekly.chronic_days,
        generated=generated.strftime("%Y-%m-%d %H:%M UTC"),
        vega_bundle=_markup(_vega_bundle()),
        data_json=_json(payload), disclaimer=DISCLAIMER if guidance else None, posterior=charts.POSTERIOR, quad=charts.QUAD,
    )


def render_workouts(workouts: list[tuple[dict[str, Any], WorkoutTrace]], *, title: str, athlete: str,
                    config: HamflowConfig, generated: datetime | None = None) -> str:
    """One file's sessions as a self-contained page (``hamflow explain --html``): each session's
    chart and verdict as the report shows a workout. ``workouts``: each session's verdict row
    (the report's workout columns) and its chart rows."""
    views = [workout_view(w, t, f"workout-{i}") for i, (w, t) in enumerate(workouts)]
    specs = {v["chart"]: workout_spec(t) for v, (_, t) in zip(views, workouts, strict=True) if v["chart"]}
    page_id = "file"
    return _template("workout.html").render(
        title=title, athlete=athlete, model_version=config.model_version, workouts=views, page_id=page_id,
        generated=(generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC"), vega_bundle=_markup(_vega_bundle()),
        data_json=_json({"athletes": [{"athlete_id": page_id, "charts": specs}]}), posterior=charts.POSTERIOR, quad=charts.QUAD,
    )


def _json(payload: dict[str, Any]) -> Any:
    """``payload`` as JSON to embed in a script element (which must not see ``</``)."""
    return _markup(json.dumps(payload, default=str, separators=(",", ":")).replace("</", "<\\/"))


def _markup(text: str) -> Any:
    from markupsafe import Markup

    return Markup(text)
