"""Rendering rows for the terminal: an aligned table, CSV or JSON.

Every listing command takes ``--format table|csv|json`` and goes through :func:`render`, so a
user can pipe any of them into a spreadsheet or ``jq`` the same way.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

Format = Literal["table", "csv", "json"]
FORMATS: tuple[Format, ...] = ("table", "csv", "json")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 1e6 else f"{value:.4g}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, (bytes, bytearray)):
        return _jsonable(value)  # type: ignore[no-any-return]
    if isinstance(value, dict):
        return json.dumps(_jsonable(value), default=_json_default)
    return str(value)


def _jsonable(value: Any) -> Any:
    """``value`` with every part JSON can hold as itself: NaN and infinity are not JSON numbers,
    maps may have keys that are not strings, and a BLOB is shown as hex."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return "\\x" + value.hex()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    """Values JSON has no type for: dates as ISO 8601, durations (INTERVAL) in seconds, DECIMAL,
    UUID and the rest as their text."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    return str(value)


def render(rows: Sequence[Mapping[str, Any]], fmt: Format = "table", columns: Sequence[str] | None = None) -> str:
    """Render ``rows`` (dicts with the same keys) in ``fmt``; ``columns`` picks and orders keys."""
    cols = list(columns) if columns is not None else (list(rows[0].keys()) if rows else [])
    if fmt == "json":
        return json.dumps([{c: _jsonable(row.get(c)) for c in cols} for row in rows], default=_json_default, indent=2)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(cols)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in cols])
        return buffer.getvalue().rstrip("\n")
    cells = [[_cell(row.get(c)) for c in cols] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(cols)]
    numeric = [
        all(isinstance(row.get(c), (int, float)) or row.get(c) is None for row in rows) and bool(rows)
        for c in cols
    ]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=False)]
        return "  ".join(parts).rstrip()

    out = [line(cols), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    return "\n".join(out)
