"""The summary of an ingest run: counts, quarantined files with reasons, each athlete's latest week, and
what next per athlete (as the run finished).

The CLI prints it and the Prefect flow publishes it as a markdown artifact, from the same
function, so what the data engineer sees in the Prefect UI is what a terminal user sees.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import polars as pl

from ..ingest import RunReport
from ..ingest.files import not_fit_text
from ..model.config import HamflowConfig
from ..model.guidance import Guidance
from ..store import read
from ..store.connection import StoreError, connection
from .guidance import guidance_markdown, guidance_text, load_guidance
from .tables import render

_WEEK_COLUMNS = (
    "athlete_id", "week_start", "age", "workouts", "moving_min", "posterior_load", "quad_load",
    "posterior_share", "sprint_sessions", "min_hours_between_hard_sessions", "acwr_posterior", "flags",
)


def current_weeks(db_path: str | os.PathLike[str]) -> pl.DataFrame:
    """Each athlete's latest week; empty if the database cannot be read right now."""
    try:
        with connection(db_path, read_only=True, timeout_s=10) as con:
            return read.current_weeks(con)
    except StoreError:
        return pl.DataFrame()


def with_age(weeks: pl.DataFrame, now: datetime) -> pl.DataFrame:
    """``weeks`` with an ``age`` column beside ``week_start``: an athlete's latest week may be
    years old (an archive's last workout), and a table headed "latest week" must not pass it off
    as this week. Nor a week after this one, which only a device whose clock ran ahead records.
    Counted from the Monday of ``now``'s week (UTC)."""
    if weeks.is_empty() or "week_start" not in weeks.columns:
        return weeks
    monday = now.date() - timedelta(days=now.weekday())
    before = ((pl.lit(monday) - pl.col("week_start")).dt.total_days() // 7).cast(pl.Int64)
    age = (
        pl.when(before == 0).then(pl.lit("this week"))
        .when(before == 1).then(pl.lit("last week"))
        .when(before.is_between(2, 103)).then(pl.format("{} weeks ago", before))
        .when(before >= 104).then(pl.format("{} years ago", before // 52))
        .when(before == -1).then(pl.lit("next week (a clock ahead?)"))
        .when(before > -104).then(pl.format("in {} weeks (a clock ahead?)", -before))
        .otherwise(pl.format("in {} years (a clock ahead?)", -before // 52))
    )
    aged = weeks.with_columns(age.alias("age"))
    at = aged.columns.index("week_start") + 1
    return aged.select([*aged.columns[:at], "age", *aged.columns[at:-1]])


def run_line(report: RunReport) -> str:
    """The run in one line, for a long-running log (``hamflow serve`` prints one per run)."""
    c = report.counts
    seconds = (report.finished_at - report.started_at).total_seconds()
    return (f"{report.finished_at:%Y-%m-%d %H:%M:%S} UTC run {report.run_id} {report.status} in {seconds:.1f} s: "
            f"{c.files_seen} files, {c.files_new} new, {c.files_known} known, {c.files_quarantined} quarantined, "
            f"{c.files_deferred} deferred; {c.workouts_added} workouts added, {c.weeks_updated} weeks updated")


def current_guidance(report: RunReport, config: HamflowConfig) -> list[Guidance]:
    """What next for every athlete as the run finished; empty if the database cannot be read now."""
    now = report.finished_at if report.finished_at.tzinfo is not None else report.finished_at.replace(tzinfo=UTC)
    try:
        with connection(report.db_path, read_only=True, timeout_s=10) as con:
            return load_guidance(con, config, now)
    except StoreError:
        return []


def _counts_rows(report: RunReport) -> list[dict[str, object]]:
    c = report.counts
    return [
        {"files seen": c.files_seen, "new": c.files_new, "already known": c.files_known,
         "quarantined": c.files_quarantined, "not activity": c.files_not_activity,
         "deferred": c.files_deferred, "workouts added": c.workouts_added,
         "recalibrated": c.workouts_recalibrated, "merged": c.workouts_merged, "weeks updated": c.weeks_updated}
    ]


def _markdown_table(rows: list[dict[str, object]], columns: list[str]) -> str:
    def cell(v: object) -> str:
        if isinstance(v, float):
            return f"{v:.2f}"
        if isinstance(v, list):
            return ", ".join(map(str, v)) or "–"
        return "–" if v is None else str(v).replace("|", "\\|")

    head = "| " + " | ".join(columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(cell(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join([head, rule, *body])


def run_markdown(report: RunReport, weeks: pl.DataFrame | None = None, config: HamflowConfig | None = None,
                 guidance: list[Guidance] | None = None) -> str:
    """Markdown for the Prefect artifact; with a ``config`` (or ``guidance``) it ends with "What next"."""
    weeks = current_weeks(report.db_path) if weeks is None else weeks
    if guidance is None and config is not None:
        guidance = current_guidance(report, config)
    counts = _counts_rows(report)
    parts = [
        f"# hamflow ingest {report.status}",
        f"Run `{report.run_id}` on `{report.db_path}`, {report.started_at:%Y-%m-%d %H:%M:%S} UTC to "
        f"{report.finished_at:%H:%M:%S} UTC.",
        _markdown_table(counts, list(counts[0])),
    ]
    if report.quarantined:
        parts += ["## Quarantined files", _markdown_table(
            [{"file": q.path, "reason": q.reason, "detail": q.detail} for q in report.quarantined], ["file", "reason", "detail"])]
    if report.not_fit:
        parts += [f"## Skipped: not FIT ({sum(report.not_fit.values())} files, counted, not read)", _markdown_table(
            [{"extension": ext, "files": n} for ext, n in report.not_fit.items()], ["extension", "files"])]
    if report.deferred:
        parts += ["## Deferred (still being written; next run picks them up)", "\n".join(f"- `{p}`" for p in report.deferred)]
    if not weeks.is_empty():
        weeks = with_age(weeks, report.finished_at)
        cols = [c for c in _WEEK_COLUMNS if c in weeks.columns]
        parts += ["## Each athlete's latest week with data", _markdown_table(weeks.select(cols).to_dicts(), cols)]
    if guidance:
        parts.append(guidance_markdown(guidance))
    return "\n\n".join(parts) + "\n"


def run_text(report: RunReport, weeks: pl.DataFrame | None = None, config: HamflowConfig | None = None,
             guidance: list[Guidance] | None = None) -> str:
    """The same summary for a terminal."""
    weeks = current_weeks(report.db_path) if weeks is None else weeks
    if guidance is None and config is not None:
        guidance = current_guidance(report, config)
    lines = [f"ingest {report.status}: run {report.run_id}", render(_counts_rows(report))]
    if report.quarantined:
        lines += ["", "quarantined:", render([{"file": q.path, "reason": q.reason, "detail": q.detail} for q in report.quarantined])]
    if report.not_fit:
        lines += ["", f"skipped: not FIT ({sum(report.not_fit.values())} files, counted, not read): {not_fit_text(report.not_fit)}"]
    if report.deferred:
        lines += ["", "deferred (still being written; the next run picks them up):", *[f"  {p}" for p in report.deferred]]
    if not weeks.is_empty():
        weeks = with_age(weeks, report.finished_at)
        cols = [c for c in _WEEK_COLUMNS if c in weeks.columns]
        table = weeks.select(cols).with_columns(pl.col(pl.Float64).round(2)).to_dicts()
        lines += ["", "latest week with data, per athlete:", render(table, "table", cols)]
    if guidance:
        lines += ["", "what next (at the end of the run):", guidance_text(guidance)]
    return "\n".join(lines)
