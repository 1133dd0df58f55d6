"""Running a lazy query the way an eager call runs it.

A chain of eager calls pays polars' per-query cost at every step; one lazy query pays it once.
But ``collect()`` may choose the streaming engine, which works in morsels, so a running sum or
a rolling mean can come out different in its last bit from the eager result. The model's
numbers are promised identical for identical input, so every lazy query of the model runs on
the in-memory engine, as eager calls do.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl


def collect(query: pl.LazyFrame) -> pl.DataFrame:
    """``query``'s result, computed as the equivalent eager calls compute it."""
    return query.collect(engine="in-memory")


def collect_all(queries: Sequence[pl.LazyFrame]) -> list[pl.DataFrame]:
    """Each of ``queries``' results, as :func:`collect` gives it, computed in one call.

    A session's query costs polars a fixed amount (planning, optimising, handing the work to
    its threads and back) whatever its length, and for an hour of seconds that is most of it;
    one call for a batch's sessions pays much of it once. Each result is still its own query's,
    so it is what collecting that query alone gives."""
    return pl.collect_all(queries, engine="in-memory") if queries else []
