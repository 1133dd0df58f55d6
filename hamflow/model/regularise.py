"""Records onto a regular 1 Hz grid, so that one row is one second.

Devices record every second, or "smart" every few seconds, or twice in one second, and pause
while the athlete stands at a light. The model counts seconds (efforts are "at least two
consecutive seconds", load is integrated over time), so it first puts every session on a grid
of whole seconds:

- timestamps are truncated to the second; several records in one second are averaged;
- a gap of up to ``max_gap_s`` seconds between records is filled with one row per second,
  values interpolated linearly in time (a smart-recording watch writes every 1-8 s);
- a longer gap is a pause: no rows are made for it, so it is not moving and carries no load,
  and an effort cannot span it;
- inside the grid, a value missing in one column (a dropped power reading) is interpolated
  when known values lie at most ``max_gap_s`` + 1 s apart around it; longer holes stay missing.

Every row then stands for exactly one second: ``dt_s`` is 1.0 throughout. The column is kept so
the load formulas read as they are written (``IF^2 * dt / 36``) and stay right for any caller
that builds samples another way.

The result depends only on the set of records, not on their order: records are sorted by time
and by value before anything else.
"""

from __future__ import annotations

from typing import Final

import polars as pl

#: Columns carried onto the grid (all Float64), in the order of the canonical record schema.
VALUE_COLUMNS: Final[tuple[str, ...]] = (
    "speed_mps",
    "altitude_m",
    "distance_m",
    "grade_pct",
    "incline_pct",
    "power_w",
    "heart_rate_bpm",
    "cadence",
)
#: Columns that hold a level set by a device (a treadmill incline): carried forward, not blended.
_STEP_COLUMNS: Final[frozenset[str]] = frozenset({"grade_pct", "incline_pct"})

GRID_SCHEMA: Final[dict[str, pl.DataType]] = {
    "ts_utc": pl.Datetime("us", "UTC"),
    "dt_s": pl.Float64(),
    **{c: pl.Float64() for c in VALUE_COLUMNS},
}


def regularise(records: pl.DataFrame, *, max_gap_s: int) -> pl.DataFrame:
    """Put ``records`` (canonical record columns) on a 1 Hz grid; see the module docstring."""
    present = [c for c in VALUE_COLUMNS if c in records.columns]
    frame = records.select(
        pl.col("ts_utc").cast(pl.Datetime("us", "UTC")).dt.truncate("1s"),
        *[pl.col(c).cast(pl.Float64) for c in present],
        *[pl.lit(None, dtype=pl.Float64).alias(c) for c in VALUE_COLUMNS if c not in present],
    ).filter(pl.col("ts_utc").is_not_null())
    if frame.is_empty():
        return pl.DataFrame(schema=GRID_SCHEMA)
    frame = (
        frame.sort(["ts_utc", *VALUE_COLUMNS], nulls_last=True)
        .group_by("ts_utc", maintain_order=True)
        .agg([pl.col(c).mean() for c in VALUE_COLUMNS])
    )
    gap_s = (pl.col("ts_utc").shift(-1) - pl.col("ts_utc")).dt.total_seconds()
    rows = pl.when(gap_s.is_null() | (gap_s > max_gap_s)).then(1).otherwise(gap_s)
    grid = (
        frame.with_columns(pl.int_ranges(0, rows, dtype=pl.Int64).alias("_offset"))
        .explode("_offset")
        .with_columns(
            (pl.col("ts_utc") + pl.duration(seconds=pl.col("_offset"))).alias("ts_utc"),
            *[
                pl.when(pl.col("_offset") == 0).then(pl.col(c)).alias(c)
                for c in VALUE_COLUMNS
            ],
        )
        .drop("_offset")
    )
    return grid.select(
        "ts_utc",
        pl.lit(1.0).alias("dt_s"),
        *[fill_short_gaps(c, max_gap_s, step=c in _STEP_COLUMNS) for c in VALUE_COLUMNS],
    )


def fill_short_gaps(column: str, max_gap_s: int, *, step: bool = False) -> pl.Expr:
    """``column`` with missing values filled where known values lie at most ``max_gap_s`` + 1
    seconds apart around them.

    Linear in time (``step=False``) or carried forward (``step=True``). Values missing at the
    start or end of the session, or across a longer stretch, stay null: nothing spans them.
    """
    col = pl.col(column)
    known_ts = pl.when(col.is_not_null()).then(pl.col("ts_utc"))
    span_s = (known_ts.backward_fill() - known_ts.forward_fill()).dt.total_seconds()
    fillable = col.is_null() & (span_s <= max_gap_s + 1)
    filled = col.forward_fill() if step else col.interpolate_by("ts_utc")
    return pl.when(fillable).then(filled).otherwise(col).alias(column)
