"""Float aggregations that give the same bits on every run.

polars' fast group-by sum adds up partial sums from several threads in whatever order they
finish, so a float total can differ in its last bit from run to run (seen: 1.8e-15 on a
workout's posterior load). hamflow promises identical results for identical input, so sums and
means inside group-bys go through these, which add the values in row order.
"""

from __future__ import annotations

import polars as pl


def stable_sum(expr: pl.Expr) -> pl.Expr:
    """Sum of ``expr`` in row order (nulls count as 0, like ``sum``)."""
    return expr.cast(pl.Float64).fill_null(0.0).cum_sum().last().fill_null(0.0)


def stable_mean(expr: pl.Expr) -> pl.Expr:
    """Mean of the non-null values of ``expr`` in row order; null when there are none."""
    n = expr.count()
    return pl.when(n > 0).then(stable_sum(expr) / n)
