"""What next, read from the database and shown as text or markdown (:mod:`hamflow.model.guidance`
holds the rules). ``hamflow next``, the report's panel and the ingest run summary use it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import duckdb

from ..model.config import HamflowConfig
from ..model.guidance import DISCLAIMER, Guidance, guidance, window_start
from ..store import read

#: No UTC offset is larger (UTC+14:00): a naive *now* reads every workout up to this much past it.
_MAX_OFFSET = timedelta(hours=14)


def load_guidance(
    con: duckdb.DuckDBPyConnection, config: HamflowConfig, now: datetime | None = None, *, athlete: str | None = None
) -> list[Guidance]:
    """The guidance for every athlete in the database (or ``athlete``) at ``now`` (default: the
    current time; naive means each athlete's local time)."""
    now = now if now is not None else datetime.now(UTC)
    if athlete is not None:
        read.require_athlete(con, athlete)
    known = read.athletes(con)
    since = window_start(now, config)
    until = now if now.tzinfo is not None else now.replace(tzinfo=UTC) + _MAX_OFFSET  # naive: local, any zone
    out = []
    for a in known if athlete is None else [athlete]:
        workouts = read.guidance_workouts(con, a, since, until)
        weeks = read.guidance_weeks(con, a, since)
        out.append(guidance(a, weeks, workouts, config, now))
    return out


def guidance_text(items: list[Guidance]) -> str:
    """For a terminal: the disclaimer once, then per athlete its lines and suggestions."""
    if not items:
        return "no athletes yet: run `hamflow ingest` first"
    lines = [DISCLAIMER]
    for g in items:
        rows = g.rows()
        width = max(len(label) for label, _ in rows)
        lines += ["", g.athlete_id, *[f"  {label:<{width}}  {value}" for label, value in rows]]
        lines += ["  next:", *[f"    - {s}" for s in g.suggestions]]
    return "\n".join(lines)


def guidance_json(items: list[Guidance]) -> str:
    """The same numbers as :func:`guidance_text`, as JSON."""
    return json.dumps({"disclaimer": DISCLAIMER, "athletes": [g.to_dict() for g in items]}, indent=2)


def guidance_markdown(items: list[Guidance]) -> str:
    """For the Prefect artifact: a heading, the disclaimer once, per athlete its suggestions and a
    table of its lines."""
    if not items:
        return ""
    parts = ["## What next", f"_{DISCLAIMER}_"]
    for g in items:
        table = "\n".join(["| | |", "|---|---|", *[f"| {label} | {value} |" for label, value in g.rows()]])
        parts += [f"### {g.athlete_id}", "\n".join(f"- {s}" for s in g.suggestions), table]
    return "\n\n".join(parts)
