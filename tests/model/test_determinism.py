"""Identical input gives identical bits: float totals must not depend on thread scheduling."""

from __future__ import annotations

import polars as pl

from hamflow.model.stable import stable_mean, stable_sum


def test_stable_aggregations_match_plain_ones_and_repeat_exactly() -> None:
    values = [0.1 * (i % 7) + 1e-9 * i for i in range(5000)]
    frame = pl.DataFrame({"g": [i % 3 for i in range(5000)], "v": values, "w": [None if i % 5 == 0 else v for i, v in enumerate(values)]})

    def grouped() -> pl.DataFrame:
        return frame.group_by("g", maintain_order=True).agg(
            stable_sum(pl.col("v")).alias("s"), stable_mean(pl.col("w")).alias("m"), stable_sum(pl.col("w")).alias("sw")
        )

    first = grouped()
    assert all(grouped().equals(first) for _ in range(50))
    plain = frame.group_by("g", maintain_order=True).agg(pl.col("v").sum().alias("s"), pl.col("w").mean().alias("m"), pl.col("w").sum().alias("sw"))
    for col in ("s", "m", "sw"):
        assert (first[col] - plain[col]).abs().max() < 1e-9


def test_all_null_group() -> None:
    frame = pl.DataFrame({"g": [1, 1], "v": [None, None]}, schema={"g": pl.Int64, "v": pl.Float64})
    out = frame.group_by("g").agg(stable_sum(pl.col("v")).alias("s"), stable_mean(pl.col("v")).alias("m"))
    assert out.row(0) == (1, 0.0, None)
