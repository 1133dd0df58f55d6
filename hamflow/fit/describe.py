"""Human summaries of decoded files, for ``hamflow inspect``."""

from __future__ import annotations

from typing import Any, Protocol

from .types import FitResult


class Failure(Protocol):
    """Why a file could not be read: a :class:`~.errors.FitDecodeError`, or a caller's own
    error with the same two attributes (an archive that cannot be opened)."""

    @property
    def reason(self) -> str: ...

    @property
    def detail(self) -> str: ...

#: Where a session's slope information comes from, best first (see docs/model.md).
_GRADE_COLUMNS = (("grade_pct", "record grade"), ("incline_pct", "developer incline"), ("altitude_m", "altitude"))


def grade_source(sources: dict[str, str | None]) -> str:
    """Which signal can give this session's grade: record grade, a developer incline, or altitude."""
    for column, label in _GRADE_COLUMNS:
        if sources.get(column):
            return f"{label} ({sources[column]})"
    return "none"


def device_label(result: FitResult) -> str:
    ident = result.identity
    parts = [p for p in (ident.manufacturer, ident.product) if p]
    return " / ".join(parts) if parts else "unknown device"


def summary_row(path: str, outcome: FitResult | Failure) -> dict[str, Any]:
    """One line per file: what it is, how much it holds, what went wrong if anything."""
    if not isinstance(outcome, FitResult):
        return {"file": path, "kind": "error", "device": "", "sessions": "", "records": None,
                "start_utc": None, "status": outcome.reason, "note": outcome.detail}
    sports = ", ".join(f"{s.sport}/{s.sub_sport or '-'}" for s in outcome.sessions)
    start = outcome.sessions[0].start_utc if outcome.sessions else None
    note = "; ".join(outcome.warnings)
    if not outcome.is_activity:
        note = note or "not an activity: nothing to analyse"
    return {"file": path, "kind": outcome.kind, "device": device_label(outcome), "sessions": sports,
            "records": outcome.record_count, "start_utc": start, "status": outcome.status, "note": note}


def detail_lines(path: str, outcome: FitResult | Failure) -> list[str]:
    """The full ``inspect`` view of one file."""
    if not isinstance(outcome, FitResult):
        return [f"{path}", f"  error      {outcome.reason}: {outcome.detail}"]
    ident = outcome.identity
    offset = outcome.utc_offset_min
    lines = [
        f"{path}",
        f"  kind       {outcome.kind} ({outcome.status}), {ident.size_bytes} bytes, sha256 {ident.sha256[:16]}…",
        f"  device     {device_label(outcome)}, serial {ident.serial_number or '-'}, created {ident.time_created or '-'}",
        f"  utc offset {'unknown' if offset is None else f'{offset:+d} min'}"
        + (f", {outcome.chained_blocks} chained FIT blocks" if outcome.chained_blocks > 1 else ""),
        f"  records    {outcome.record_count}",
    ]
    for s in outcome.sessions:
        present = [k for k, v in s.sources.items() if v]
        lines.append(
            f"  session {s.index}  {s.sport}/{s.sub_sport or '-'}  start {s.start_utc}  "
            f"elapsed {s.elapsed_s or 0:.0f} s  distance {s.distance_m or 0:.0f} m  records {s.record_count}"
            + ("  (no session message; made from records)" if s.synthetic else "")
        )
        lines.append(f"    columns  {', '.join(f'{k}<-{s.sources[k]}' for k in present) or 'none'}")
        lines.append(f"    grade    {grade_source(s.sources)}")
    if outcome.sets:
        active = [st for st in outcome.sets if st.set_type == "active"]
        lines.append(f"  sets       {len(active)} active of {len(outcome.sets)}")
    lines.append(f"  fields     {', '.join(outcome.fields_present) or 'none'}")
    for warning in outcome.warnings:
        lines.append(f"  warning    {warning}")
    return lines
