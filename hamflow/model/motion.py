"""Is the athlete going anywhere? What the distance says, between the device's updates.

Many devices repeat their last distance for a few seconds between updates, so one second's
change says little; the rate between two updates does. Used for "moving" (:mod:`.derive`) and
to tell standing still from moving when taking altitude drift out of the grade (:mod:`.grade`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

#: A stage of a lazy query: columns computed from the ones before, added together.
Stage = tuple[pl.Expr, ...]


def with_stages(query: pl.LazyFrame, stages: Sequence[Stage]) -> pl.LazyFrame:
    """``query`` with the columns of ``stages``, one stage after the other."""
    for stage in stages:
        query = query.with_columns(*stage)
    return query


@dataclass(frozen=True, slots=True)
class Advancing:
    """:func:`distance_advancing` for a query: ``stages`` of helper columns to add first (one
    ``with_columns`` each, in order), then ``expr`` reads them; ``helpers`` names the helper
    columns, for the caller to drop."""

    stages: tuple[Stage, ...]
    expr: pl.Expr
    helpers: tuple[str, ...]


def distance_advancing(min_speed_mps: float, max_interval_s: int, distance: pl.Expr | None = None, *,
                       prefix: str = "_advancing") -> Advancing:
    """Per second: did the distance advance at ``min_speed_mps`` or more over the interval
    between the distance updates around it (null where no update lies on either side).
    ``distance`` (default the ``distance_m`` column) is evaluated within each stretch of
    consecutive seconds; rows are seconds stamped ``ts_utc``. The helper columns are named
    ``prefix`` + a suffix, so that two of these can share a query.

    In stages, so that each intermediate is computed once, not once for every place it is read,
    and with one window over the stretches at most (for a ``distance`` that is not a column)."""
    d = pl.col("distance_m") if distance is None else distance
    ts = pl.col("ts_utc")
    names = {k: f"{prefix}_{k}" for k in ("start", "stretch", "distance", "updated", "next_here", "prev_here",
                                          "t", "d", "span", "gain")}
    start, stretch, updated = pl.col(names["start"]), pl.col(names["stretch"]), pl.col(names["updated"])
    here = pl.col(names["distance"])
    next_here, prev_here = pl.col(names["next_here"]), pl.col(names["prev_here"])
    t_update, d_update = pl.col(names["t"]), pl.col(names["d"])
    # The updates around each second, filled over the whole session, then kept only where the
    # update they came from lies in the second's own stretch: what filling each stretch on its
    # own gives (stretches are runs of rows), without a window per stretch.
    from_stretch = pl.when(updated).then(stretch)
    span_s, gain = pl.col(names["span"]), pl.col(names["gain"])
    stages: tuple[Stage, ...] = (
        # Only within a stretch of consecutive seconds: across a pause nothing was measured.
        ((ts.diff().dt.total_seconds().fill_null(1) != 1).alias(names["start"]),),
        (start.cum_sum().alias(names["stretch"]),),
        ((d if d.meta.is_column() else d.over(stretch)).alias(names["distance"]),),
        # A stretch's first distance is an update: nothing before it in the stretch to repeat.
        ((here.is_not_null() & (start | here.shift(1).is_null() | (here != here.shift(1)))).alias(names["updated"]),),
        (
            (from_stretch.backward_fill() == stretch).alias(names["next_here"]),
            (from_stretch.forward_fill().shift(1) == stretch).alias(names["prev_here"]),
            pl.when(updated).then(ts).alias(names["t"]),
            pl.when(updated).then(here).alias(names["d"]),
        ),
        (
            (pl.when(next_here).then(t_update.backward_fill()) - pl.when(prev_here).then(t_update.forward_fill().shift(1)))
            .dt.total_seconds().alias(names["span"]),
            (pl.when(next_here).then(d_update.backward_fill()) - pl.when(prev_here).then(d_update.forward_fill().shift(1)))
            .alias(names["gain"]),
        ),
    )
    advancing = pl.when(span_s > 0).then((span_s <= max_interval_s) & (gain / span_s >= min_speed_mps))
    return Advancing(stages, advancing, tuple(names.values()))
