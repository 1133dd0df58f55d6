"""Is the athlete going anywhere? What the distance says, between the device's updates.

Many devices repeat their last distance for a few seconds between updates, so one second's
change says little; the rate between two updates does. Used for "moving" (:mod:`.derive`) and
to tell standing still from moving when taking altitude drift out of the grade (:mod:`.grade`).
"""

from __future__ import annotations

import polars as pl


def distance_advancing(min_speed_mps: float, max_interval_s: int, distance: pl.Expr | None = None) -> pl.Expr:
    """Per second: did the distance advance at ``min_speed_mps`` or more over the interval
    between the distance updates around it (null where no update lies on either side).
    ``distance`` defaults to the ``distance_m`` column; rows are seconds stamped ``ts_utc``."""
    d = distance if distance is not None else pl.col("distance_m")
    ts = pl.col("ts_utc")
    # Only within a stretch of consecutive seconds: across a pause nothing was measured.
    stretch = (ts.diff().dt.total_seconds().fill_null(1) != 1).cum_sum()
    updated = d.is_not_null() & (d.shift(1).is_null() | (d != d.shift(1)))
    t_update = pl.when(updated).then(ts)
    d_update = pl.when(updated).then(d)
    t_next, d_next = t_update.backward_fill().over(stretch), d_update.backward_fill().over(stretch)
    t_prev = t_update.forward_fill().shift(1).over(stretch)
    d_prev = d_update.forward_fill().shift(1).over(stretch)
    span_s = (t_next - t_prev).dt.total_seconds()
    rate = (d_next - d_prev) / span_s
    return pl.when(span_s > 0).then((span_s <= max_interval_s) & (rate >= min_speed_mps))
