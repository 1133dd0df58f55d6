"""Heart rate buffered by a chest strap (HRM-Swim/Tri/Pro) and merged back onto records.

Under water the strap cannot reach the watch, so it stores beats and the watch appends them to
the file after the activity as ``hr`` messages, often in extra chained FIT blocks. Each message
packs eight beat times as 12-bit counters of 1/1024 s (``event_timestamp_12``); the first message
anchors the counter to wall-clock time (``timestamp`` + ``fractional_timestamp`` with a full
``event_timestamp``). The FIT SDK documents this encoding for its HR-to-record merge.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl

_TICKS_PER_S = 1024
_WRAP = 1 << 12


def _unpack_12bit(raw: Any) -> list[int]:
    """The eight 12-bit counters in a 12-byte ``event_timestamp_12`` value (little-endian)."""
    if not isinstance(raw, (tuple, list)) or len(raw) != 12:
        return []
    packed = int.from_bytes(bytes(int(b) & 0xFF for b in raw), "little")
    return [(packed >> (12 * j)) & 0xFFF for j in range(8)]


def buffered_hr_samples(hr_messages: list[dict[str, Any]]) -> pl.DataFrame:
    """Beat-by-beat samples ``(ts_utc, bpm)`` from ``hr`` messages, or an empty frame."""
    anchor_time: float | None = None
    anchor_ticks: int | None = None
    last_ticks: int | None = None
    times: list[float] = []
    bpms: list[float] = []
    for message in hr_messages:
        timestamp = message.get("timestamp")
        full = message.get("event_timestamp")
        if isinstance(timestamp, datetime) and isinstance(full, (int, float)):
            fraction = message.get("fractional_timestamp") or 0.0
            anchor_time = timestamp.replace(tzinfo=None).timestamp() + float(fraction)
            anchor_ticks = last_ticks = round(float(full) * _TICKS_PER_S)
            bpm = message.get("filtered_bpm")
            if isinstance(bpm, (int, float)):
                times.append(anchor_time)
                bpms.append(float(bpm))
            continue
        if anchor_time is None or anchor_ticks is None or last_ticks is None:
            continue
        counters = _unpack_12bit(message.get("event_timestamp_12"))
        values = message.get("filtered_bpm")
        if not counters or not isinstance(values, (tuple, list)):
            continue
        for counter, bpm in zip(counters, values, strict=False):
            ticks = (last_ticks & ~0xFFF) | counter
            if ticks < last_ticks:
                ticks += _WRAP
            last_ticks = ticks
            if isinstance(bpm, (int, float)) and 0 < bpm < 255:
                times.append(anchor_time + (ticks - anchor_ticks) / _TICKS_PER_S)
                bpms.append(float(bpm))
    if not times:
        return pl.DataFrame(schema={"ts_utc": pl.Datetime("us", "UTC"), "hr_bpm": pl.Float64})
    return (
        pl.DataFrame({"t": times, "hr_bpm": bpms})
        .with_columns((pl.col("t") * 1_000_000).cast(pl.Int64).cast(pl.Datetime("us", "UTC")).alias("ts_utc"))
        .select("ts_utc", "hr_bpm")
        .sort("ts_utc")
    )


def merge_buffered_hr(records: pl.DataFrame, hr_messages: list[dict[str, Any]]) -> pl.DataFrame:
    """Fill ``heart_rate_bpm`` of ``records`` with the latest buffered beat within 5 s before."""
    samples = buffered_hr_samples(hr_messages)
    if samples.is_empty():
        return records
    order = records.with_row_index("_row").sort("ts_utc")
    joined = order.join_asof(samples, on="ts_utc", strategy="backward", tolerance="5s")
    return (
        joined.with_columns(pl.coalesce("heart_rate_bpm", "hr_bpm").alias("heart_rate_bpm"))
        .sort("_row")
        .drop("_row", "hr_bpm")
    )
