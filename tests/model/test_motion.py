"""Is the athlete going anywhere: each stretch of consecutive seconds is judged on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from hamflow.model.motion import distance_advancing

T0 = datetime(2024, 5, 1, 7, 0, tzinfo=UTC)
#: A second's step from the one before (1: the next second; more: a pause) and its distance change
#: (None: no distance; 0: repeated).
STEPS = st.lists(
    st.tuples(st.sampled_from([1, 1, 1, 2, 40]), st.one_of(st.none(), st.just(0.0), st.floats(-3.0, 6.0))),
    min_size=1, max_size=80,
)


def frame_of(steps: list[tuple[int, float | None]]) -> pl.DataFrame:
    t, d, times, distances = T0, 100.0, [], []
    for gap, change in steps:
        t += timedelta(seconds=gap)
        if change is not None:
            d += change
        times.append(t)
        distances.append(None if change is None else d)
    return pl.DataFrame({"ts_utc": times, "distance_m": distances},
                        schema={"ts_utc": pl.Datetime("us", "UTC"), "distance_m": pl.Float64})


def advancing(frame: pl.DataFrame, distance: pl.Expr | None) -> list[bool | None]:
    found = distance_advancing(0.5, 30, distance)
    query = frame.lazy()
    for stage in found.stages:
        query = query.with_columns(*stage)
    return query.select(found.expr.alias("advancing")).collect().get_column("advancing").to_list()


@settings(max_examples=150, deadline=None)
@given(STEPS)
def test_each_stretch_of_consecutive_seconds_is_judged_as_if_it_were_alone(steps: list[tuple[int, float | None]]) -> None:
    frame = frame_of(steps)
    stretches = frame.with_columns(
        (pl.col("ts_utc").diff().dt.total_seconds().fill_null(1) != 1).cum_sum().alias("stretch")
    ).partition_by("stretch", maintain_order=True, include_key=False)
    filled = pl.col("distance_m").forward_fill().backward_fill().cum_max()  # as the grade reads it
    for distance in (None, filled):  # a column, and an expression evaluated per stretch
        alone = [value for part in stretches for value in advancing(part, distance)]
        assert advancing(frame, distance) == alone


def test_a_stretchs_first_distance_counts_as_an_update_though_it_repeats_the_last_one() -> None:
    # 10 m/s for a second, the distance held, a pause of 20 s, then the same distance again
    # and 2 m/s on: the second after the pause is measured from the distance the stretch began
    # with. Seconds without an update on either side within their stretch are not judged.
    frame = frame_of([(1, 0.0), (1, 10.0), (1, 0.0), (20, 0.0), (1, 2.0), (1, 2.0)])
    assert advancing(frame, None) == [None, True, None, None, True, True]
