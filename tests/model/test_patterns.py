"""Per-second patterns at each boundary of the pattern table: just below and at/above."""

from __future__ import annotations

import pytest

from hamflow.model import DEFAULT_CONFIG, Pattern

from .frames import classify, patterns, records

T = DEFAULT_CONFIG.model.thresholds
P = DEFAULT_CONFIG.model.p
VMAX = DEFAULT_CONFIG.default_profile.vmax_mps
HSR = T.hsr_vmax_fraction * VMAX
SPRINT = T.sprint_vmax_fraction * VMAX
HILL = T.hill_sprint_vmax_fraction * VMAX
MAXV = T.maxv_vmax_fraction * VMAX
EPS = 0.01


def steady(speed: float, grade: float | None = 0.0, n: int = 30, sport: str = "running", sub: str = "generic") -> str:
    """The pattern of the middle second of a steady stretch (grade from the record's own field)."""
    result = classify(records(n, speed=speed, grade=grade), sport, sub)
    return patterns(result)[n // 2]


@pytest.mark.parametrize(
    ("speed", "grade", "expected"),
    [
        (T.walk_run_speed_mps - EPS, 0.0, Pattern.WALK_FLAT),
        (T.walk_run_speed_mps, 0.0, Pattern.RUN_EASY),
        (T.moving_speed_mps - EPS, 0.0, Pattern.REST),
        (T.moving_speed_mps, 0.0, Pattern.WALK_FLAT),
        # walking grades
        (1.4, T.downhill_max_grade_pct, Pattern.DOWNHILL),
        (1.4, T.downhill_max_grade_pct + EPS, Pattern.WALK_FLAT),
        (1.4, T.walk_incline_min_grade_pct - EPS, Pattern.WALK_FLAT),
        (1.4, T.walk_incline_min_grade_pct, Pattern.WALK_INCLINE),
        (1.4, T.walk_steep_min_grade_pct - EPS, Pattern.WALK_INCLINE),
        (1.4, T.walk_steep_min_grade_pct, Pattern.WALK_STEEP),
        # running grades
        (3.0, T.run_uphill_min_grade_pct - EPS, Pattern.RUN_EASY),
        (3.0, T.run_uphill_min_grade_pct, Pattern.RUN_UPHILL),
        (3.0, T.downhill_max_grade_pct, Pattern.DOWNHILL),
        (3.0, T.downhill_max_grade_pct + EPS, Pattern.RUN_EASY),
        # speed bands on the flat
        (HSR - EPS, 0.0, Pattern.RUN_EASY),
        (HSR, 0.0, Pattern.HSR),
        (SPRINT - EPS, 0.0, Pattern.HSR),
        (SPRINT, 0.0, Pattern.SPRINT),
        # uphill: below hill-sprint speed it is uphill running, even in the HSR band
        (HILL - EPS, T.hill_sprint_min_grade_pct, Pattern.RUN_UPHILL),
        (HILL, T.hill_sprint_min_grade_pct, Pattern.HILL_SPRINT),
        (HILL, T.hill_sprint_min_grade_pct - EPS, Pattern.HSR),
        (SPRINT, 8.0, Pattern.HILL_SPRINT),
    ],
)
def test_pattern_boundaries(speed: float, grade: float, expected: Pattern) -> None:
    assert steady(speed, grade) == expected.value


def hill_run(seconds_fast: int) -> list[str]:
    speeds = [3.0] * 10 + [HILL] * seconds_fast + [3.0] * 10
    return patterns(classify(records(len(speeds), speed=speeds, grade=6.0)))[10 : 10 + seconds_fast]


def test_hill_sprint_must_be_sustained() -> None:
    assert hill_run(T.hill_sprint_sustain_s) == [Pattern.HILL_SPRINT.value] * T.hill_sprint_sustain_s
    short = T.hill_sprint_sustain_s - 1
    assert hill_run(short) == [Pattern.HSR.value] * short


def test_maxv_boundary() -> None:
    below = classify(records(30, speed=MAXV - EPS, grade=0.0)).samples
    at = classify(records(30, speed=MAXV, grade=0.0)).samples
    assert not below.get_column("maxv").any()
    assert at.get_column("maxv").all()


def test_walking_shares_and_uphill_running_share() -> None:
    assert classify(records(30, speed=1.4, grade=12.0)).samples["p"][15] == P.walk_steep
    for grade in (3.0, 8.0):
        p = classify(records(30, speed=3.0, grade=grade)).samples["p"][15]
        assert p == pytest.approx(P.run_uphill_base + P.run_uphill_per_pct * grade)
    capped = classify(records(30, speed=3.0, grade=20.0)).samples["p"][15]
    assert capped == pytest.approx(P.run_uphill_max)


@pytest.mark.parametrize(
    ("sport", "sub_sport", "expected", "share"),
    [
        ("rowing", "indoor_rowing", Pattern.ROW, P.row),
        ("fitness_equipment", "indoor_rowing", Pattern.ROW, P.row),
        ("rowing", "generic", Pattern.ROW, P.row),
        ("fitness_equipment", "elliptical", Pattern.ELLIPTICAL, P.elliptical),
        ("fitness_equipment", "stair_climbing", Pattern.STAIR, P.stair),
        ("cycling", "road", Pattern.BIKE, P.bike),
        ("cycling", "indoor_cycling", Pattern.BIKE, P.bike),
        ("fitness_equipment", "indoor_cycling", Pattern.BIKE, P.bike),
        ("swimming", "lap_swimming", Pattern.OTHER, None),
        ("training", "strength_training", Pattern.STRENGTH, None),
        ("generic", None, Pattern.OTHER, None),
    ],
)
def test_sport_patterns(sport: str, sub_sport: str | None, expected: Pattern, share: float | None) -> None:
    result = classify(records(120, speed=3.0, power=150.0, hr=140.0, cadence=80.0), sport, sub_sport)
    samples = result.samples
    assert set(samples["pattern"]) == {expected.value}
    assert samples["p"][0] == share
    if share is None:
        assert samples["load"].sum() == 0 and result.summary.workout_class == "unclassified"
    else:
        assert samples["load"].sum() > 0


def test_reverse_elliptical_uses_its_own_share() -> None:
    from hamflow.model import classify_session

    from .frames import session

    frame = records(60, hr=150.0, cadence=60.0)
    result = classify_session(
        session(frame, "fitness_equipment", "elliptical"), profile=DEFAULT_CONFIG.default_profile,
        config=DEFAULT_CONFIG, reverse_elliptical=True,
    )
    assert result.samples["p"][0] == P.elliptical_reverse


def test_hamstring_multiplier() -> None:
    ref = DEFAULT_CONFIG.model.hamstring.reference_vmax_fraction * VMAX
    exponent = DEFAULT_CONFIG.model.hamstring.exponent
    for speed, expected in [
        (HSR - EPS, 1.0),
        (HSR, (HSR / ref) ** exponent),
        (ref, 1.0),
        (VMAX, (VMAX / ref) ** exponent),
    ]:
        h = classify(records(30, speed=speed, grade=0.0)).samples["h"][15]
        assert h == pytest.approx(expected)
    # Edouard et al.: about +30 % speed above 7 m/s doubles hamstring demand
    assert (1.3) ** exponent == pytest.approx(2.0, abs=0.03)


def test_load_per_second_on_the_tss_scale() -> None:
    profile = DEFAULT_CONFIG.default_profile
    one_hour = classify(records(3600, speed=profile.threshold_speed_mps, grade=0.0))
    s = one_hour.summary
    assert s.training_load == pytest.approx(100.0)
    assert s.posterior_load == pytest.approx(100.0 * P.run_easy)
    assert s.quad_load == pytest.approx(100.0 * (1 - P.run_easy))
    assert s.posterior_share == pytest.approx(P.run_easy)
