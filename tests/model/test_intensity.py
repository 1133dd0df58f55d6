"""Intensity factor formulas against values worked out by hand."""

from __future__ import annotations

import math

import polars as pl
import pytest

from hamflow.model import DEFAULT_CONFIG, AthleteProfile
from hamflow.model.config import IntensityParams
from hamflow.model.intensity import (
    grade_adjusted_speed,
    heart_rate_if_value,
    minetti_cost,
    threshold_hr,
    trimp_exponent,
)

from .frames import classify, records

PARAMS = IntensityParams()


def test_minetti_cost_on_the_flat_and_at_8_percent() -> None:
    assert minetti_cost(0.0) == pytest.approx(3.6)
    # 155.4 i^5 - 30.4 i^4 - 43.3 i^3 + 46.3 i^2 + 19.5 i + 3.6 at i = 0.08, term by term:
    i = 0.08
    by_hand = 155.4 * 3.2768e-6 - 30.4 * 4.096e-5 - 43.3 * 5.12e-4 + 46.3 * 0.0064 + 19.5 * i + 3.6
    assert by_hand == pytest.approx(5.4334, abs=1e-4)
    assert minetti_cost(i) == pytest.approx(by_hand)
    assert minetti_cost(-0.10) < minetti_cost(0.0)  # gentle downhill is cheaper than the flat


def test_grade_adjusted_speed() -> None:
    frame = pl.DataFrame({"v": [3.0, 3.0, 3.0, 3.0], "g": [0.0, 8.0, None, 80.0]})
    gas = frame.select(grade_adjusted_speed(pl.col("v"), pl.col("g"), 45.0)).to_series().to_list()
    assert gas[0] == pytest.approx(3.0)
    assert gas[1] == pytest.approx(3.0 * 5.4334 / 3.6, rel=1e-4)
    assert gas[2] == pytest.approx(3.0)  # unknown grade counts as flat
    assert gas[3] == pytest.approx(3.0 * minetti_cost(0.45) / 3.6)  # clamped to Minetti's range


def test_running_if_uses_grade_adjusted_speed() -> None:
    profile = AthleteProfile(threshold_speed_mps=4.0)
    result = classify(records(30, speed=3.0, grade=8.0), profile=profile)
    assert result.samples["intensity_factor"][10] == pytest.approx(3.0 * minetti_cost(0.08) / 3.6 / 4.0)


def test_threshold_heart_rate() -> None:
    profile = AthleteProfile(hr_rest_bpm=60, hr_max_bpm=190)
    assert threshold_hr(profile, PARAMS) == pytest.approx(60 + 0.85 * 130)
    assert threshold_hr(AthleteProfile(threshold_hr_bpm=165), PARAMS) == 165


def test_trimp_exponent_by_sex() -> None:
    assert trimp_exponent(AthleteProfile(sex="male"), PARAMS) == 1.92
    assert trimp_exponent(AthleteProfile(sex="female"), PARAMS) == 1.67
    assert trimp_exponent(AthleteProfile(), PARAMS) == pytest.approx((1.92 + 1.67) / 2)


def test_heart_rate_if_by_hand() -> None:
    profile = AthleteProfile(hr_rest_bpm=60, hr_max_bpm=190, sex="male")
    hr_t = threshold_hr(profile, PARAMS)
    assert heart_rate_if_value(hr_t, profile, PARAMS) == pytest.approx(1.0)
    # HR 125: reserve fraction x = 65/130 = 0.5; threshold x_t = 0.85
    by_hand = math.sqrt(0.5 * math.exp(1.92 * 0.5) / (0.85 * math.exp(1.92 * 0.85)))
    assert by_hand == pytest.approx(0.5481, abs=1e-4)
    assert heart_rate_if_value(125, profile, PARAMS) == pytest.approx(by_hand)
    assert heart_rate_if_value(55, profile, PARAMS) == 0.0  # below rest
    # an hour at threshold heart rate is a load of 100, as an hour at threshold speed is
    hour = classify(records(3600, hr=hr_t, cadence=60.0), "fitness_equipment", "stair_climbing", profile=profile)
    assert hour.summary.training_load == pytest.approx(100.0)


def test_power_if_on_bike_and_rower() -> None:
    profile = DEFAULT_CONFIG.default_profile
    bike = classify(records(60, speed=8.0, power=150.0, hr=130.0), "cycling", "road")
    assert bike.samples["intensity_factor"][10] == pytest.approx(150.0 / profile.bike_threshold_power_w)
    row = classify(records(60, speed=4.0, power=216.0, hr=130.0), "rowing", "indoor_rowing")
    assert row.samples["intensity_factor"][10] == pytest.approx(216.0 / profile.rower_threshold_power_w)
    assert set(row.samples["intensity_source"]) == {"power"}
