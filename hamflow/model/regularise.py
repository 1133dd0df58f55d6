"""Records onto a regular 1 Hz grid, so that one row is one second.

Devices record every second, or "smart" every few seconds, or twice in one second, and pause
while the athlete stands at a light. The model counts seconds (efforts are "at least two
consecutive seconds", load is integrated over time), so it first puts every session on a grid
of whole seconds:

- timestamps are truncated to the second; several records in one second are averaged;
- a gap between records is a pause or a stretch the device did not write down. What the device
  says decides (:func:`pause_gaps`): a gap in which its timer stopped is a pause; a gap of up to
  ``max_moving_gap_s`` seconds over which the distance advanced at moving speed (or, without a
  distance, the timer kept running) was moved through, since smart-recording watches write a
  record only every few seconds to half a minute. Files without timer events or a distance keep
  the fixed rule: gaps up to ``max_gap_s`` are filled, longer ones are pauses;
- a gap that was moved through is filled with one row per second, values interpolated linearly
  in time; a pause gets no rows, so it is not moving and carries no load, and an effort cannot
  span it;
- inside the grid, a value missing in one column (a dropped power reading) is interpolated
  when known values lie at most ``max_gap_s`` + 1 s apart around it; longer holes stay missing.

Every row then stands for exactly one second: ``dt_s`` is 1.0 throughout. The column is kept so
the load formulas read as they are written (``IF^2 * dt / 36``) and stay right for any caller
that builds samples another way.

The result depends only on the set of records, not on their order: records are sorted by time
and by value before anything else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Final

import polars as pl

from hamflow.fit.types import Event

from .query import Steps, collect, run_alone
from .utc import utc_series

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


def regularise(
    records: pl.DataFrame,
    *,
    max_gap_s: int,
    max_moving_gap_s: int | None = None,
    timer: TimerEvents | None = None,
    moving_speed_mps: float = 0.5,
) -> pl.DataFrame:
    """Put ``records`` (canonical record columns) on a 1 Hz grid; see the module docstring.

    ``timer`` holds the file's timer events; ``max_moving_gap_s`` (default ``max_gap_s``) is the
    longest gap that can count as moved through.
    """
    return run_alone(regularise_steps(records, max_gap_s=max_gap_s, max_moving_gap_s=max_moving_gap_s, timer=timer,
                                      moving_speed_mps=moving_speed_mps))


def regularise_steps(
    records: pl.DataFrame,
    *,
    max_gap_s: int,
    max_moving_gap_s: int | None = None,
    timer: TimerEvents | None = None,
    moving_speed_mps: float = 0.5,
) -> Steps[pl.DataFrame]:
    """:func:`regularise` as :data:`~.query.Steps` (so that a batch's sessions run it in step)."""
    long_gap_s = max(max_moving_gap_s if max_moving_gap_s is not None else max_gap_s, max_gap_s)
    present = [c for c in VALUE_COLUMNS if c in records.columns]
    gap_s = (pl.col("ts_utc").shift(-1) - pl.col("ts_utc")).dt.total_seconds()
    filled = filled_gaps(max_gap_s=max_gap_s, max_moving_gap_s=long_gap_s, timer=timer, moving_speed_mps=moving_speed_mps)
    # One query from the records to one row per second (with the number of grid rows each
    # stands for), and one from there to the grid: each step as its own eager call would pay
    # the per-query cost again for little work.
    seconds = (
        records.lazy()
        .select(
            pl.col("ts_utc").cast(pl.Datetime("us", "UTC")).dt.truncate("1s"),
            *[pl.col(c).cast(pl.Float64) for c in present],
            *[pl.lit(None, dtype=pl.Float64).alias(c) for c in VALUE_COLUMNS if c not in present],
        )
        .filter(pl.col("ts_utc").is_not_null())
    )
    rows_of = pl.when(gap_s.is_null() | ~filled).then(1).otherwise(gap_s).alias("_rows")
    # Most devices write at most one record a second, in order: then sorting and averaging
    # within each second leave every row as it is (the mean of one value is that value), and
    # the query without them gives the same frame for much less work. Whether the seconds
    # strictly increase is read from the same query; where they do not, it runs again in full.
    frame = yield seconds.with_columns(rows_of, gap_s.min().alias("_min_gap"))
    min_gap = frame.get_column("_min_gap")[0] if frame.height else None
    if frame.height > 1 and (min_gap is None or min_gap <= 0):
        frame = yield (
            seconds.sort(["ts_utc", *VALUE_COLUMNS], nulls_last=True)
            .group_by("ts_utc", maintain_order=True)
            .agg([pl.col(c).mean() for c in VALUE_COLUMNS])
            .with_columns(rows_of)
        )
    if frame.is_empty():
        return pl.DataFrame(schema=GRID_SCHEMA)
    rows = frame.get_column("_rows")
    inserted = rows.max() != 1
    nulls = {c: frame.get_column(c).null_count() for c in VALUE_COLUMNS}
    # A column the grid leaves as it is needs no filling: one with no hole on a grid without
    # inserted rows, or one without a single value (nothing to fill from).
    as_is = frozenset(c for c, n in nulls.items() if n == frame.height or (n == 0 and not inserted))
    spread, filled_columns = _grid_exprs(max_gap_s, long_gap_s, as_is)
    if inserted:
        grid = frame.lazy().with_columns(pl.int_ranges(0, pl.col("_rows"), dtype=pl.Int64).alias("_offset")).explode("_offset")
    else:  # one grid row per record: nothing to spread
        grid = frame.lazy().with_columns(pl.lit(0, dtype=pl.Int64).alias("_offset"))
    return (yield grid.with_columns(*spread).drop("_offset", "_rows").select(*filled_columns))


@lru_cache(maxsize=64)
def _grid_exprs(max_gap_s: int, long_gap_s: int, as_is: frozenset[str]) -> tuple[tuple[pl.Expr, ...], tuple[pl.Expr, ...]]:
    """The grid's expressions after the rows are spread over the seconds, then filled (all but
    the columns ``as_is``): the same for every session of a config, so built once."""
    spread = (
        (pl.col("ts_utc") + pl.duration(seconds=pl.col("_offset"))).alias("ts_utc"),
        *[pl.when(pl.col("_offset") == 0).then(pl.col(c)).alias(c) for c in VALUE_COLUMNS],
        (pl.col("_offset") > 0).alias("_inserted"),
    )
    filled = (
        pl.col("ts_utc"),
        pl.lit(1.0).alias("dt_s"),
        *[
            pl.col(c) if c in as_is else fill_short_gaps(c, max_gap_s, step=c in _STEP_COLUMNS, inserted_limit_s=long_gap_s)
            for c in VALUE_COLUMNS
        ],
    )
    return spread, filled


@dataclass(frozen=True, slots=True)
class TimerEvents:
    """When a device's timer stopped and started (FIT ``event`` messages of the ``timer`` event)."""

    stops: tuple[datetime, ...] = ()
    starts: tuple[datetime, ...] = ()

    @classmethod
    def from_events(cls, events: Iterable[Event]) -> TimerEvents:
        stops, starts = [], []
        for e in events:
            if e.event != "timer" or e.ts_utc is None or e.event_type is None:
                continue
            if e.event_type.startswith("stop"):
                stops.append(e.ts_utc)
            elif e.event_type == "start":
                starts.append(e.ts_utc)
        return cls(tuple(sorted(stops)), tuple(sorted(starts)))

    @property
    def known(self) -> bool:
        return bool(self.stops or self.starts)


def pause_gaps(
    frame: pl.DataFrame, *, max_gap_s: int, max_moving_gap_s: int, timer: TimerEvents | None, moving_speed_mps: float
) -> pl.Series:
    """For each record (sorted, one per second at most), whether the gap to the next record was
    moved through and is to be filled (True) or is a pause (False)."""
    filled = filled_gaps(max_gap_s=max_gap_s, max_moving_gap_s=max_moving_gap_s, timer=timer,
                         moving_speed_mps=moving_speed_mps)
    return collect(frame.lazy().select(filled.alias("filled"))).to_series()


def filled_gaps(*, max_gap_s: int, max_moving_gap_s: int, timer: TimerEvents | None, moving_speed_mps: float) -> pl.Expr:
    """:func:`pause_gaps` as an expression over the sorted records, so that the grid is built
    in the same query as the decision (each step of it as a Series call would be a query of
    its own)."""
    ts = pl.col("ts_utc")
    gap = (ts.shift(-1) - ts).dt.total_seconds().fill_null(0)
    short = gap <= max_gap_s
    distance = pl.col("distance_m").forward_fill()
    has_distance = distance.is_not_null().any()
    advanced = ((distance.shift(-1) - distance) >= moving_speed_mps * gap).fill_null(False)
    if timer is None or not timer.known:
        return pl.when(has_distance).then(short | ((gap <= max_moving_gap_s) & advanced)).otherwise(short)
    moved = pl.when(has_distance).then(advanced).otherwise(True)
    return ~_timer_stopped(timer) & (short | ((gap <= max_moving_gap_s) & moved))


def _timer_stopped(timer: TimerEvents) -> pl.Expr:
    """Whether the timer stopped inside the gap after each record, or had already stopped when it
    began (the last stop before the gap's start is later than the last start)."""
    ts = pl.col("ts_utc")
    stop_ts, start_ts = utc_series(timer.stops), utc_series(timer.starts)
    following = ts.shift(-1).fill_null(ts)
    stops = pl.lit(stop_ts)
    stops_in = stops.search_sorted(following, side="left") - stops.search_sorted(ts, side="left")
    stop_before, start_before = _last_at_or_before(stop_ts, ts), _last_at_or_before(start_ts, ts)
    already = stop_before.is_not_null() & (start_before.is_null() | (stop_before > start_before))
    return (stops_in > 0) | already


def _last_at_or_before(events: pl.Series, ts: pl.Expr) -> pl.Expr:
    """For each time in ``ts``, the last of the sorted ``events`` at or before it (else null)."""
    if events.is_empty():
        return pl.lit(None, dtype=events.dtype)
    index = pl.lit(events).search_sorted(ts, side="right").cast(pl.Int64)
    return pl.when(index > 0).then(pl.lit(events).gather((index - 1).clip(lower_bound=0)))


def fill_short_gaps(
    column: str, max_gap_s: int, *, step: bool = False, inserted_limit_s: int | None = None
) -> pl.Expr:
    """``column`` with missing values filled where known values lie at most ``max_gap_s`` + 1
    seconds apart around them (``inserted_limit_s`` + 1 in rows inserted for a gap that was
    moved through: the ``_inserted`` column).

    Linear in time (``step=False``) or carried forward (``step=True``). Values missing at the
    start or end of the session, or across a longer stretch, stay null: nothing spans them.
    """
    col = pl.col(column)
    known_ts = pl.when(col.is_not_null()).then(pl.col("ts_utc"))
    span_s = (known_ts.backward_fill() - known_ts.forward_fill()).dt.total_seconds()
    fillable = col.is_null() & (span_s <= max_gap_s + 1)
    if inserted_limit_s is not None and inserted_limit_s > max_gap_s:
        fillable = fillable | (col.is_null() & pl.col("_inserted") & (span_s <= inserted_limit_s + 1))
    filled = col.forward_fill() if step else col.interpolate_by("ts_utc")
    return pl.when(fillable).then(filled).otherwise(col).alias(column)
