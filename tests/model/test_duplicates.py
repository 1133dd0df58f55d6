"""Grouping recordings of one workout, aligning their clocks and merging their streams."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta

import polars as pl

from hamflow.model.config import Duplicates
from hamflow.model.duplicates import Recording, clock_offset, groups, merged, own

T0 = datetime(2026, 10, 14, 16, 0, tzinfo=UTC)
PARAMS = Duplicates()


def _samples(seconds: int, *, start_s: int = 0, hr: bool = False, power: bool = False, grade: str = "none") -> pl.DataFrame:
    """Speed that rises and falls every few minutes (as interval steps do), on a 1 s grid."""
    t = list(range(start_s, start_s + seconds))
    speed = [1.5 + 0.5 * math.sin(i / 40) + 0.3 * math.sin(i / 7) for i in t]
    return pl.DataFrame({
        "ts_utc": [T0 + timedelta(seconds=i) for i in t],
        "speed_mps": speed,
        "cadence": [100 + 10 * v for v in speed],
        "power_w": [200 * v if power else None for v in speed],
        "heart_rate_bpm": [120 + 20 * v if hr else None for v in speed],
        "grade_pct": [8.0 if grade != "none" else None for _ in t],
        "grade_source": [grade] * seconds,
    }, schema_overrides={"ts_utc": pl.Datetime("us", "UTC"), "power_w": pl.Float64, "heart_rate_bpm": pl.Float64,
                         "grade_pct": pl.Float64})


def _shifted(frame: pl.DataFrame, seconds: int) -> pl.DataFrame:
    return frame.with_columns(pl.col("ts_utc") + pl.duration(seconds=seconds))


def test_the_clock_offset_is_found_from_a_shared_stream_within_the_configured_reach() -> None:
    machine = _samples(1800, grade="record_grade")
    watch = _shifted(_samples(1700, start_s=50, hr=True), 17)  # its clock 17 s ahead
    assert clock_offset(machine, watch, PARAMS) == (17, "speed_mps")
    assert clock_offset(machine, _shifted(_samples(1700, start_s=50, hr=True), -9), PARAMS)[0] == -9
    # the search never goes beyond the configured reach; with none, the clocks are taken as they are
    assert abs(clock_offset(machine, watch, Duplicates(max_clock_offset_s=5))[0]) <= 5
    assert clock_offset(machine, watch, Duplicates(max_clock_offset_s=0))[0] == 0
    # no stream in common: nothing to compare, the clocks as recorded
    only_hr = watch.with_columns(pl.lit(None, pl.Float64).alias(c) for c in ("speed_mps", "cadence"))
    assert clock_offset(machine, only_hr, PARAMS) == (0, None)


def test_the_machine_recording_is_the_primary_whatever_the_order_they_are_given_in() -> None:
    machine = Recording("b-0", "b", T0, 1800, _samples(1800, grade="record_grade"))
    watch = Recording("a-0", "a", T0 + timedelta(seconds=20), 1900, _samples(1900, hr=True))
    copy = Recording("c-0", "c", T0 + timedelta(seconds=5), 1850, _samples(1850, hr=True))
    for order in itertools.permutations([machine, watch, copy]):
        assert [[r.workout_id for r in g] for g in groups(list(order), PARAMS)] == [["b-0", "a-0", "c-0"]]


def test_a_borrowed_stream_fills_only_what_the_primary_lacks_and_can_be_given_back() -> None:
    machine = _samples(600, grade="record_grade")
    watch = _shifted(_samples(600, hr=True, power=True), 4).with_columns(pl.col("speed_mps") * 2)
    frame, taken = merged(machine, [("w-0", watch, 4)])
    assert taken == ("heart_rate_bpm<-w-0", "power_w<-w-0")
    assert frame.get_column("speed_mps").equals(machine.get_column("speed_mps"))  # its own speed stays
    assert frame.get_column("heart_rate_bpm").equals(_samples(600, hr=True).get_column("heart_rate_bpm"))
    assert own(frame, taken).equals(machine)


def test_a_grade_from_a_watchs_altitude_is_never_borrowed_but_a_measured_incline_is() -> None:
    watch = _samples(600, hr=True)
    _, taken = merged(watch, [("alt-0", _samples(600, grade="altitude"), 0)])
    assert taken == ()
    frame, taken = merged(watch, [("tread-0", _samples(600, grade="developer_incline"), 0)])
    assert taken == ("grade_pct<-tread-0",) and frame.get_column("grade_source").unique().to_list() == ["developer_incline"]
    assert own(frame, taken).equals(watch)
