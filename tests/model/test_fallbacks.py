"""Missing fields: each signal falls back to the next, and the summary says which was used."""

from __future__ import annotations

import pytest

from hamflow.model import DEFAULT_CONFIG
from hamflow.model.intensity import heart_rate_if_value

from .frames import classify, cumulative, records

PROFILE = DEFAULT_CONFIG.default_profile
PARAMS = DEFAULT_CONFIG.model.intensity


def test_bike_without_power_uses_heart_rate() -> None:
    result = classify(records(120, speed=8.0, hr=150.0), "cycling", "road")
    assert set(result.samples["intensity_source"]) == {"heart_rate"}
    assert result.samples["intensity_factor"][5] == pytest.approx(heart_rate_if_value(150.0, PROFILE, PARAMS))
    assert result.summary.intensity_source == "heart_rate"
    assert any("heart rate" in r for r in result.summary.reasons)


def test_power_of_zero_all_ride_means_no_power_meter() -> None:
    result = classify(records(120, speed=8.0, power=0.0, hr=150.0), "cycling", "road")
    assert result.summary.intensity_source == "heart_rate"
    assert result.summary.training_load > 0


def test_rowing_erg_without_power_uses_its_pace() -> None:
    result = classify(records(120, speed=4.0, hr=150.0), "rowing", "indoor_rowing")
    assert result.summary.intensity_source == "erg_pace"
    expected = PARAMS.erg_pace_power_coefficient * 4.0**3 / PROFILE.rower_threshold_power_w
    assert result.samples["intensity_factor"][5] == pytest.approx(expected)


def test_stair_with_heart_rate_only() -> None:
    result = classify(records(600, hr=150.0), "fitness_equipment", "stair_climbing")
    assert result.summary.moving_s == 600
    assert result.summary.intensity_source == "heart_rate"
    assert result.summary.workout_class == "mixed"


def test_nothing_to_go_by_gives_the_nominal_intensity() -> None:
    result = classify(records(120, cadence=60.0), "fitness_equipment", "elliptical")
    assert set(result.samples["intensity_source"]) == {"nominal"}
    assert result.samples["intensity_factor"][0] == pytest.approx(PARAMS.nominal_if)
    assert any("nominal" in r for r in result.summary.reasons)


def test_speed_from_distance_when_no_speed_field() -> None:
    speeds = [3.0] * 60
    result = classify(records(60, distance=cumulative(speeds)))
    assert result.samples["speed_mps"][10] == pytest.approx(3.0)
    assert set(result.samples["pattern"][1:]) == {"RUN_EASY"}


def test_on_foot_without_speed_uses_heart_rate_and_the_sport() -> None:
    run = classify(records(120, hr=150.0, cadence=85.0), "running", "treadmill")
    walk = classify(records(120, hr=110.0, cadence=60.0), "walking", "indoor_walking")
    assert set(run.samples["pattern"]) == {"RUN_EASY"}
    assert set(walk.samples["pattern"]) == {"WALK_FLAT"}
    assert run.summary.intensity_source == "heart_rate"


def test_no_grade_indoors_is_unknown_and_earns_no_incline_credit() -> None:
    # a treadmill walk with a barometric altitude that climbs: indoors it must not count
    n = 600
    result = classify(
        records(n, speed=1.4, distance=cumulative([1.4] * n), altitude=[100 + 0.1 * i for i in range(n)]),
        "walking",
        "indoor_walking",
    )
    assert result.summary.grade_source == "none"
    assert result.samples["grade_pct"].null_count() == n
    assert set(result.samples["pattern"]) == {"WALK_FLAT"}
    assert any("no incline credit" in r for r in result.summary.reasons)


def test_outdoors_without_altitude_has_no_grade() -> None:
    result = classify(records(120, speed=3.0))
    assert result.summary.grade_source == "none"


def test_grade_source_priority() -> None:
    n = 120
    base = dict(speed=1.4, distance=cumulative([1.4] * n), altitude=[100 + 0.1 * i for i in range(n)])
    assert classify(records(n, **base, grade=12.0, incline=3.0)).summary.grade_source == "record_grade"
    with_incline = classify(records(n, **base, incline=12.0), "running", "treadmill")
    assert with_incline.summary.grade_source == "developer_incline"
    assert with_incline.samples["grade_pct"][60] == 12.0
    assert classify(records(n, **base)).summary.grade_source == "altitude"


def test_a_session_without_records_does_not_crash() -> None:
    result = classify(records(0))
    assert result.samples.height == 0
    assert result.summary.workout_class == "unclassified"
    assert result.segments.height == 0
