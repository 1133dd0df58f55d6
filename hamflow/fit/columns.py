"""The canonical per-second columns and which FIT fields feed them.

Devices disagree on where a number lives: newer Garmin watches write only ``enhanced_speed``,
treadmills put their incline in a Connect IQ developer field, ergometer apps put power in one.
This module is the single place that knows the candidates, in order of preference.
"""

from __future__ import annotations

import re
from typing import Final

import polars as pl

#: Canonical record columns, their dtypes and units. Every session frame has all of them.
RECORD_SCHEMA: Final[dict[str, pl.DataType]] = {
    "ts_utc": pl.Datetime("us", "UTC"),
    "speed_mps": pl.Float64(),
    "altitude_m": pl.Float64(),
    "distance_m": pl.Float64(),
    "grade_pct": pl.Float64(),
    "incline_pct": pl.Float64(),
    "power_w": pl.Float64(),
    "heart_rate_bpm": pl.Float64(),
    "cadence": pl.Float64(),
}

#: Extra columns kept only when positions are asked for (privacy: off by default).
POSITION_SCHEMA: Final[dict[str, pl.DataType]] = {
    "lat_deg": pl.Float64(),
    "lon_deg": pl.Float64(),
}

#: Native record fields per canonical column, best first; values are combined row by row, so a
#: file that writes ``enhanced_speed`` on some records and ``speed`` on others still has speed.
NATIVE_CANDIDATES: Final[dict[str, tuple[str, ...]]] = {
    "speed_mps": ("enhanced_speed", "speed"),
    "altitude_m": ("enhanced_altitude", "altitude"),
    "distance_m": ("distance",),
    "grade_pct": ("grade",),
    "incline_pct": (),
    "power_w": ("power",),
    "heart_rate_bpm": ("heart_rate",),
    "cadence": ("cadence",),
}

#: FIT ``record`` field numbers that a developer field may declare as its native equivalent
#: (``field_description.native_field_num``); used when the native field itself is missing.
DEV_NATIVE_FIELD_NUM: Final[dict[int, str]] = {
    2: "altitude_m",
    3: "heart_rate_bpm",
    4: "cadence",
    5: "distance_m",
    6: "speed_mps",
    7: "power_w",
    9: "incline_pct",  # native 9 is `grade`; on a treadmill a developer "grade" is its incline
}

#: Developer field names recognised without a native field number (seen in real files:
#: ``Incline``, ``inclineRunn``; ergometer apps' ``Power``/``Watts``).
DEV_NAME_PATTERNS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (re.compile(r"incline", re.IGNORECASE), "incline_pct"),
    (re.compile(r"^(power|watts)$", re.IGNORECASE), "power_w"),
)

#: Native fields read from records (everything else is ignored for speed).
NATIVE_FIELDS: Final[frozenset[str]] = frozenset(
    {name for names in NATIVE_CANDIDATES.values() for name in names}
    | {"timestamp", "fractional_cadence", "position_lat", "position_long"}
)

SEMICIRCLE_TO_DEG: Final[float] = 180.0 / 2**31


def dev_column_for(name: str, native_field_num: int | None) -> str | None:
    """The canonical column a developer field feeds, or None if it feeds none."""
    for pattern, column in DEV_NAME_PATTERNS:
        if pattern.search(name):
            return column
    if native_field_num is not None:
        return DEV_NATIVE_FIELD_NUM.get(native_field_num)
    return None
