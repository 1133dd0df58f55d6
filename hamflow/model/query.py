"""Running a lazy query the way an eager call runs it.

A chain of eager calls pays polars' per-query cost at every step; one lazy query pays it once.
But ``collect()`` may choose the streaming engine, which works in morsels, so a running sum or
a rolling mean can come out different in its last bit from the eager result. The model's
numbers are promised identical for identical input, so every lazy query of the model runs on
the in-memory engine, as eager calls do.
"""

from __future__ import annotations

import polars as pl


def collect(query: pl.LazyFrame) -> pl.DataFrame:
    """``query``'s result, computed as the equivalent eager calls compute it."""
    return query.collect(engine="in-memory")
