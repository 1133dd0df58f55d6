"""The 1 Hz grid: short gaps filled, pauses kept out, duplicates merged, order irrelevant."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from hamflow.fit.reader import read_fit
from hamflow.model import regularise as module
from hamflow.model.regularise import TimerEvents, pause_gaps, regularise

from ..corpus import corpus_root
from .frames import T0, classify, records


def test_short_gaps_are_filled_linearly() -> None:
    grid = regularise(records(3, speed=[1.0, 4.0, 4.0], hr=[100.0, 130.0, 130.0], seconds=[0, 3, 4]), max_gap_s=10)
    assert grid.height == 5
    assert grid["speed_mps"].to_list() == pytest.approx([1.0, 2.0, 3.0, 4.0, 4.0])
    assert grid["dt_s"].to_list() == [1.0] * 5


def test_long_gaps_are_pauses() -> None:
    grid = regularise(records(4, speed=3.0, seconds=[0, 1, 30, 31]), max_gap_s=10)
    assert grid.height == 4
    result = classify(records(4, speed=3.0, seconds=[0, 1, 30, 31]))
    assert result.summary.moving_s == 4


def test_records_in_one_second_are_averaged() -> None:
    grid = regularise(records(3, speed=[2.0, 4.0, 3.0], seconds=[0, 0, 1]), max_gap_s=10)
    assert grid["speed_mps"].to_list() == pytest.approx([3.0, 3.0])


def test_missing_values_inside_the_grid() -> None:
    speeds = [3.0] + [None] * 5 + [3.0] + [None] * 20 + [3.0]
    grid = regularise(records(len(speeds), speed=speeds), max_gap_s=10)
    assert grid["speed_mps"][1:6].to_list() == pytest.approx([3.0] * 5)
    assert grid["speed_mps"][7:27].null_count() == 20  # too long to bridge


def test_order_of_records_does_not_matter() -> None:
    frame = records(50, speed=[float(i % 7) for i in range(50)], hr=[100.0 + i for i in range(50)])
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=3)
    assert regularise(frame, max_gap_s=10).equals(regularise(shuffled, max_gap_s=10))


def test_records_without_timestamps_are_ignored() -> None:
    frame = records(5, speed=3.0).with_columns(
        pl.when(pl.int_range(pl.len()) == 2).then(None).otherwise(pl.col("ts_utc")).alias("ts_utc")
    )
    assert regularise(frame, max_gap_s=10).height == 5  # the hole is filled from its neighbours


def test_a_gap_the_timer_stopped_in_or_was_stopped_before_is_a_pause() -> None:
    # Records at 0, 20, 40, 60 and 80 s, moving 4 m/s throughout. The timer stops at 25 s and
    # 59 s (inside the second and third gaps) and starts at 40 s and 61 s: the fourth gap begins
    # with the timer stopped, the last record's comes after the restart.
    frame = records(5, speed=4.0, distance=[0.0, 80.0, 160.0, 240.0, 320.0], seconds=[0, 20, 40, 60, 80]).select(
        pl.col("ts_utc").cast(pl.Datetime("us", "UTC")), "distance_m"
    )
    timer = TimerEvents(stops=(T0 + timedelta(seconds=25), T0 + timedelta(seconds=59)), starts=(T0 + timedelta(seconds=40), T0 + timedelta(seconds=61)))
    filled = pause_gaps(frame, max_gap_s=5, max_moving_gap_s=30, timer=timer, moving_speed_mps=0.5)
    assert filled.to_list() == [True, False, False, False, True]
    no_timer = pause_gaps(frame, max_gap_s=5, max_moving_gap_s=30, timer=None, moving_speed_mps=0.5)
    assert no_timer.to_list() == [True, True, True, True, True]


def test_columns_the_grid_leaves_as_they_are_are_what_filling_them_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    """The grid skips filling a column without holes (no rows inserted) or without values; on
    real files, with and without inserted rows, that is exactly what filling every column gives."""
    sessions = [s for name in ("elevate/20171011_run_2088390344.fit", "fitparse/2013-02-06-12-11-14.fit",
                               "muktihari-fit/HrmPluginTestActivity.fit")
                for s in read_fit(corpus_root() / name).sessions]
    skipped = [regularise(s.records, max_gap_s=10, max_moving_gap_s=30) for s in sessions]
    fill_all = module._grid_exprs.__wrapped__
    monkeypatch.setattr(module, "_grid_exprs", lambda gap, long_gap, as_is: fill_all(gap, long_gap, frozenset()))
    filled = [regularise(s.records, max_gap_s=10, max_moving_gap_s=30) for s in sessions]
    assert any(g.height > s.records.height for g, s in zip(filled, sessions, strict=True))  # rows were inserted
    assert any(g.height == s.records.height for g, s in zip(filled, sessions, strict=True))  # and not
    for ours, reference in zip(skipped, filled, strict=True):
        assert ours.equals(reference, null_equal=True)
