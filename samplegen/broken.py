"""Damaged files, the way they turn up in real exports.

An ingest has to report these instead of crashing: a watch that died
before writing anything, an upload cut off mid-transfer, a console export
saved with the wrong extension, and a file whose checksum no longer
matches (a single corrupted block).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from .model import WorkoutSpec

TRUNCATE_AT = 0.55
"""Keep the first 55 % of the bytes: well inside the record data."""


def empty_file(data: bytes, spec: WorkoutSpec) -> bytes:
    return b""


def truncated(data: bytes, spec: WorkoutSpec) -> bytes:
    return data[: int(len(data) * TRUNCATE_AT)]


def crc_mismatch(data: bytes, spec: WorkoutSpec) -> bytes:
    """Invert the two trailing file-CRC bytes; the content itself stays readable."""
    return data[:-2] + bytes(b ^ 0xFF for b in data[-2:])


def not_fit(data: bytes, spec: WorkoutSpec) -> bytes:
    """A gym console's CSV export that was saved with a ``.fit`` extension."""
    rng = random.Random(spec.seed)
    rows = ["Time,HeartRate,StepsPerMin"]
    heart = 92
    for minute in range(8):
        heart = min(165, heart + rng.randint(3, 9))
        rows.append(f"00:{minute:02d}:00,{heart},{rng.randint(68, 84)}")
    return ("\n".join(rows) + "\n").encode("ascii")


CORRUPTORS: dict[str, Callable[[bytes, WorkoutSpec], bytes]] = {
    "empty_file": empty_file,
    "truncated": truncated,
    "not_fit": not_fit,
    "crc_mismatch": crc_mismatch,
}
