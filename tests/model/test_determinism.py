"""Identical input gives identical bits: float totals must not depend on thread scheduling."""

from __future__ import annotations

import polars as pl

from hamflow.model.query import collect
from hamflow.model.stable import stable_mean, stable_sum
from hamflow.model.summary import pattern_totals


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


def test_a_lazy_model_query_gives_the_bits_of_the_same_eager_calls() -> None:
    # Running sums and rolling means are where a different engine shows in the last bit.
    n = 200_000
    frame = pl.DataFrame({"v": [0.1 * (i % 13) + 1e-7 * i for i in range(n)], "k": [i // 7 for i in range(n)]})
    steps = (
        (pl.col("v").cum_sum().alias("s"), pl.col("v").rolling_mean(30, center=True, min_samples=1).alias("r")),
        ((pl.col("s") / 3.0 + pl.col("r")).alias("t"), pl.col("v").sum().over("k").alias("g")),
    )
    eager = frame
    lazy = frame.lazy()
    for step in steps:
        eager = eager.with_columns(*step)
        lazy = lazy.with_columns(*step)
    assert collect(lazy).equals(eager)


def test_pattern_totals_are_each_pattern_summed_on_its_own() -> None:
    n = 7_200
    names = ["WALK_FLAT", "RUN_EASY", "REST", "HSR"]
    samples = pl.DataFrame({
        "pattern": [names[(i // 37) % 4] for i in range(n)],
        "dt_s": [1.0] * n,
        "posterior_load": [0.001 * (i % 11) + 1e-9 * i for i in range(n)],
        "quad_load": [0.002 * (i % 5) + 1e-9 * i for i in range(n)],
        "p": [None if i % 9 == 0 else 0.3 + 0.01 * (i % 17) for i in range(n)],
    })
    totals = {t.pattern: t for t in pattern_totals(samples)}
    assert set(totals) == set(names)
    for name, t in totals.items():
        mine = samples.filter(pl.col("pattern") == name)
        assert (t.seconds, t.posterior_load, t.quad_load, t.mean_p) == (
            mine.get_column("dt_s").sum(), mine.get_column("posterior_load").sum(),
            mine.get_column("quad_load").sum(), mine.get_column("p").mean(),
        )
