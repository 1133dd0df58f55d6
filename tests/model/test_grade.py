"""Grade from noisy altitude: a known hill is recovered."""

from __future__ import annotations

import random
import statistics

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hamflow.model import DEFAULT_CONFIG
from hamflow.model.config import GradeFilter
from hamflow.model.grade import altitude_grade

from ..conftest import SampleFile
from .frames import classify, cumulative, records

HILL_PCT = 8.0


def noisy_hill(speed: float, seconds: int, noise_m: float, seed: int) -> tuple[list[float], list[float]]:
    """Distance and barometer-like altitude (white noise, 0.2 m steps) up a steady 8 % hill."""
    rng = random.Random(seed)
    distance = cumulative([speed] * seconds)
    altitude = [round((50.0 + HILL_PCT / 100 * d + rng.gauss(0.0, noise_m)) / 0.2) * 0.2 for d in distance]
    return distance, altitude


@pytest.mark.parametrize("speed", [1.3, 3.0, 6.5])
@pytest.mark.parametrize("seed", [7, 8])
def test_known_hill_is_recovered_from_noisy_altitude(speed: float, seed: int) -> None:
    """An 8 % hill under 0.25 m of altitude noise: within 1.5 % at nine seconds in ten, and
    every 20-second stretch (a hill sprint's length) within 1.5 % on average."""
    distance, altitude = noisy_hill(speed, 900, noise_m=0.25, seed=seed)
    frame = pl.DataFrame({"distance_m": distance, "altitude_m": altitude})
    grade = altitude_grade(frame, DEFAULT_CONFIG.model.grade).to_list()[30:-30]
    assert statistics.median(grade) == pytest.approx(HILL_PCT, abs=0.5)
    assert sum(abs(g - HILL_PCT) <= 1.5 for g in grade) / len(grade) >= 0.9
    stretches = [statistics.mean(grade[i : i + 20]) for i in range(0, len(grade) - 20, 20)]
    assert all(abs(m - HILL_PCT) <= 1.5 for m in stretches)


def test_neighbour_differences_alone_would_not_do() -> None:
    """The reason for the distance window: slopes over a few metres at walking pace are noise."""
    distance, altitude = noisy_hill(1.3, 900, noise_m=0.25, seed=7)
    frame = pl.DataFrame({"distance_m": distance, "altitude_m": altitude})
    narrow = GradeFilter(
        window_m=2.7, min_span_fraction=0.0, rolling_samples=1, max_abs_pct=1000.0, window_s=0.0,
        target_noise_pct=1000.0, significance_z=0.0,
    )
    values = [g for g in altitude_grade(frame, narrow).to_list()[30:-30] if g is not None]
    assert sum(abs(g - HILL_PCT) <= 1.5 for g in values) / len(values) < 0.5


def test_hill_in_a_session_gives_uphill_and_downhill_walking() -> None:
    up, _ = noisy_hill(1.4, 300, 0.2, seed=1)
    speeds = [1.4] * 600
    distance = cumulative(speeds)
    altitude = [50 + 0.12 * d if d <= up[-1] else 50 + 0.12 * up[-1] - 0.12 * (d - up[-1]) for d in distance]
    result = classify(records(600, speed=speeds, distance=distance, altitude=altitude), "hiking", "generic")
    pattern = result.samples["pattern"].to_list()
    assert set(pattern[20:280]) == {"WALK_STEEP"}
    assert set(pattern[320:580]) == {"DOWNHILL"}
    assert result.summary.grade_source == "altitude"


def test_sample_hill_sprint_file(month: dict[str, SampleFile]) -> None:
    """The sample month's hill is 8 %: up in the sprints, down on the walk back."""
    hills = [f for f in month.values() if f.entry["kind"] == "hill_sprints"]
    assert hills
    for f in hills:
        samples = f.classified[0].samples
        by_pattern = samples.group_by("pattern").agg(pl.col("grade_pct").median())
        medians = dict(by_pattern.iter_rows())
        assert medians["HILL_SPRINT"] == pytest.approx(HILL_PCT, abs=1.5), f.entry["path"]
        assert medians["DOWNHILL"] == pytest.approx(-HILL_PCT, abs=1.5), f.entry["path"]
        assert medians["RUN_EASY"] == pytest.approx(0.0, abs=1.0), f.entry["path"]


def test_flat_sample_runs_stay_flat(month: dict[str, SampleFile]) -> None:
    for f in month.values():
        if f.entry["kind"] in ("easy_run", "tempo_run"):
            grade = f.classified[0].samples["grade_pct"]
            assert grade.abs().quantile(0.99) < 3.0, f.entry["path"]


@settings(max_examples=25, deadline=None)
@given(amplitude=st.floats(0.0, 3.0), seed=st.integers(0, 10_000), speed=st.floats(2.4, 3.4))
def test_a_flat_jog_with_noisy_altitude_stays_quad(amplitude: float, seed: int, speed: float) -> None:
    """Up to +-3 m of altitude noise (a GPS altitude) must not turn 40 flat minutes into hill work."""
    rng = random.Random(seed)
    n = 2400
    altitude = [100.0 + rng.uniform(-amplitude, amplitude) for _ in range(n)]
    frame = records(n, speed=speed, distance=[speed * i for i in range(n)], altitude=altitude, hr=140.0)
    s = classify(frame).summary
    assert s.workout_class == "quad", (s.posterior_share, s.reasons)
    assert s.total_load <= 1.1 * (speed / DEFAULT_CONFIG.default_profile.threshold_speed_mps) ** 2 * n / 36


def steep_climb(speed: float, grade_pct: float, seconds: int = 600) -> pl.DataFrame:
    distance = cumulative([speed] * seconds)
    altitude = [round((500.0 + grade_pct / 100 * d) / 0.2) * 0.2 for d in distance]
    return records(seconds, speed=[speed] * seconds, distance=distance, altitude=altitude)


def test_a_vertical_kilometre_pitch_on_foot_keeps_its_grade() -> None:
    """50 % at 0.6 m/s is a vertical-kilometre course, not a glitch: the climb is steep walking."""
    result = classify(steep_climb(0.6, 50.0), "hiking", "generic")
    grade = result.samples["grade_pct"].to_list()[60:-60]
    assert statistics.median(grade) == pytest.approx(50.0, abs=1.0)
    assert set(result.samples["pattern"].to_list()[60:-60]) == {"WALK_STEEP"}


def test_the_same_pitch_on_a_bike_is_a_glitch_and_gives_no_grade() -> None:
    """No road is ridden at 50 %: on wheels the 40 % limit holds, so the grade stays unknown."""
    result = classify(steep_climb(3.0, 50.0), "cycling", "road")
    assert result.samples["grade_pct"].drop_nulls().len() == 0
