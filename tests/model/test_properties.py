"""Properties that must hold for any input, checked with generated sessions."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hamflow.model import DEFAULT_CONFIG, reclassify

from .frames import classify, cumulative, records

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SPORTS = [
    ("running", "generic"),
    ("walking", "generic"),
    ("hiking", "generic"),
    ("running", "treadmill"),
    ("cycling", "road"),
    ("rowing", "indoor_rowing"),
    ("fitness_equipment", "elliptical"),
    ("fitness_equipment", "stair_climbing"),
    ("swimming", "lap_swimming"),
]


@st.composite
def sessions(draw: st.DrawFn, min_size: int = 20, max_size: int = 150) -> tuple[pl.DataFrame, str, str]:
    """A session of random but plausible signals, some of them missing."""
    n = draw(st.integers(min_size, max_size))
    speed = draw(st.lists(st.floats(0.0, 10.0), min_size=n, max_size=n))
    steps = draw(st.lists(st.floats(-1.5, 1.5), min_size=n, max_size=n))
    altitude = cumulative(steps)
    hr = draw(st.one_of(st.none(), st.lists(st.floats(40.0, 200.0), min_size=n, max_size=n)))
    power = draw(st.one_of(st.none(), st.lists(st.floats(-20.0, 1200.0), min_size=n, max_size=n)))
    grade = draw(st.one_of(st.none(), st.floats(-20.0, 25.0)))
    sport, sub = draw(st.sampled_from(SPORTS))
    frame = records(
        n, speed=speed, distance=cumulative(speed), altitude=[100 + a for a in altitude], hr=hr, power=power, grade=grade
    )
    return frame, sport, sub


@SETTINGS
@given(sessions())
def test_loads_are_never_negative_and_add_up(case: tuple[pl.DataFrame, str, str]) -> None:
    frame, sport, sub = case
    result = classify(frame, sport, sub)
    samples, s = result.samples, result.summary
    for column in ("load", "posterior_load", "quad_load", "intensity_factor"):
        assert samples[column].min() is None or samples[column].min() >= 0.0
    # PL + QL is the total load by definition; per second it is (1 + p (h - 1)) L
    assert s.total_load == pytest.approx(s.posterior_load + s.quad_load)
    per_second = samples.select(
        ((1 + pl.col("p").fill_null(0.0) * (pl.col("h") - 1)) * pl.col("load")).sum()
    ).item()
    assert s.total_load == pytest.approx(per_second, rel=1e-9, abs=1e-12)
    # without fast running (h = 1) it is exactly the training load
    if samples.filter(pl.col("h") != 1.0).is_empty():
        assert s.total_load == pytest.approx(s.training_load, rel=1e-9, abs=1e-12)
    if s.posterior_share is not None:
        assert 0.0 <= s.posterior_share <= 1.0


@SETTINGS
@given(
    speed=st.floats(DEFAULT_CONFIG.model.thresholds.moving_speed_mps, 1.99),
    g1=st.floats(-30.0, 30.0),
    g2=st.floats(-30.0, 30.0),
)
def test_walking_posterior_share_never_falls_as_grade_rises(speed: float, g1: float, g2: float) -> None:
    low, high = sorted((g1, g2))

    def share(grade: float) -> float:
        s = classify(records(90, speed=speed, grade=grade), "walking", "generic").summary
        assert s.posterior_share is not None
        return s.posterior_share

    assert share(low) <= share(high) + 1e-12  # equal shares may differ in the last float bit


@SETTINGS
@given(sessions(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(case: tuple[pl.DataFrame, str, str], rnd) -> None:  # type: ignore[no-untyped-def]
    frame, sport, sub = case
    order = list(range(frame.height))
    rnd.shuffle(order)
    a = classify(frame, sport, sub)
    b = classify(frame[order], sport, sub)
    assert a.samples.equals(b.samples)
    assert a.segments.equals(b.segments)
    assert a.summary == b.summary


MARGIN_S = 60


@SETTINGS
@given(sessions(min_size=200, max_size=400), st.floats(0.3, 0.7))
def test_classifying_in_two_halves_gives_the_same_seconds_away_from_the_cut(
    case: tuple[pl.DataFrame, str, str], where: float
) -> None:
    """More than a minute from the cut, every second gets the same pattern, p, h and loads.

    Only grade smoothing (30 m of distance, 3 samples), hill-sprint runs, efforts and the
    quality screen's spike window look at neighbours, and none of them reaches a minute at
    moving speeds, so a file split by a device (or a batch boundary) does not change what
    happens away from the split. Patterns and flags are equal exactly; numbers to 1e-9 relative
    (1e-6 absolute): the altitude slope is computed from running sums, whose last bits depend on
    where the session starts. The grade window's adaptation to the session's measured altitude
    noise is a choice for the session as a whole, so it is switched off here (a fixed 30 m
    window); tests/model/test_grade.py covers it.
    """
    frame, sport, sub = case
    frame = frame.with_columns(pl.col("speed_mps").clip(lower_bound=0.6))  # always moving: windows stay short
    frame = frame.with_columns(distance_m=pl.col("speed_mps").cum_sum())
    cut = int(frame.height * where)
    fixed = dataclasses.replace(DEFAULT_CONFIG.model.grade, window_s=0.0, target_noise_pct=1000.0, significance_z=0.0)
    config = dataclasses.replace(DEFAULT_CONFIG, model=dataclasses.replace(DEFAULT_CONFIG.model, grade=fixed))
    whole = classify(frame, sport, sub, config=config).samples
    halves = pl.concat([
        classify(frame[:cut], sport, sub, config=config).samples, classify(frame[cut:], sport, sub, config=config).samples
    ])
    assert whole.height == halves.height
    index = pl.int_range(pl.len())
    keep = index.is_between(MARGIN_S, cut - MARGIN_S) | (index >= cut + MARGIN_S)
    a, b = whole.filter(keep), halves.filter(keep)
    for column in ("pattern", "moving", "maxv", "grade_source", "intensity_source"):
        assert a[column].to_list() == b[column].to_list(), column
    for column in ("grade_pct", "p", "h", "intensity_factor", "load", "posterior_load", "quad_load"):
        for x, y in zip(a[column].to_list(), b[column].to_list(), strict=True):
            assert (x is None and y is None) or x == pytest.approx(y, rel=1e-9, abs=1e-6), column


@SETTINGS
@given(sessions())
def test_reclassify_from_samples_equals_classify(case: tuple[pl.DataFrame, str, str]) -> None:
    frame, sport, sub = case
    first = classify(frame, sport, sub)
    again = reclassify(first.samples, sport, sub, DEFAULT_CONFIG, start_utc=first.summary.start_utc)
    assert again.samples.equals(first.samples)
    assert again.segments.equals(first.segments)
    assert again.summary.posterior_load == first.summary.posterior_load
    assert again.summary.workout_class == first.summary.workout_class
    assert again.summary.reasons == first.summary.reasons
