"""Strength sets: movement by category, leg days, no cardio load."""

from __future__ import annotations

from datetime import timedelta

from hamflow.fit.types import StrengthSet
from hamflow.model import DEFAULT_CONFIG
from hamflow.model.strength import Movement, movement_of, sets_frame

from .frames import T0, classify, records

RULES = DEFAULT_CONFIG.model.strength


def test_movement_of_categories() -> None:
    assert movement_of(["deadlift"], RULES) is Movement.HIP_EXTENSION
    assert movement_of(["hip_raise"], RULES) is Movement.HIP_EXTENSION
    assert movement_of(["leg_curl"], RULES) is Movement.HIP_EXTENSION  # FIT files good mornings here
    assert movement_of(["squat"], RULES) is Movement.KNEE_EXTENSION  # and the leg press here
    assert movement_of(["LUNGE"], RULES) is Movement.KNEE_EXTENSION
    assert movement_of(["bench_press"], RULES) is Movement.OTHER
    assert movement_of(["calf_raise", "hip_stability"], RULES) is Movement.OTHER
    assert movement_of(["squat", "deadlift"], RULES) is Movement.HIP_EXTENSION
    assert movement_of([], RULES) is Movement.OTHER


def a_set(minute: int, category: str | None, set_type: str = "active") -> StrengthSet:
    return StrengthSet(T0 + timedelta(minutes=minute), set_type, (category,) if category else (), 8, 60.0, 30.0)


def test_sets_frame_keeps_worked_sets_in_order() -> None:
    sets = [a_set(5, "squat"), a_set(1, "deadlift"), a_set(3, None, "rest")]
    frame = sets_frame(sets, RULES)
    assert frame["categories"].to_list() == [["deadlift"], ["squat"]]
    assert frame["movement"].to_list() == ["hip_extension", "knee_extension"]


def test_leg_day_needs_lower_body_sets() -> None:
    hr = records(1800, hr=110.0)
    legs = classify(hr, "training", "strength_training", sets=[a_set(1, "bench_press"), a_set(4, "deadlift")])
    upper = classify(hr, "training", "strength_training", sets=[a_set(1, "bench_press"), a_set(4, "pull_up")])
    assert legs.summary.is_leg_day and legs.summary.hip_extension_sets == 1
    assert not upper.summary.is_leg_day
    for result in (legs, upper):
        assert result.summary.total_load == 0 and result.summary.training_load == 0
        assert result.summary.workout_class == "unclassified"


def test_sets_are_ignored_outside_strength_sessions() -> None:
    run = classify(records(120, speed=3.0), sets=[a_set(1, "deadlift")])
    assert run.sets.height == 0 and not run.summary.is_leg_day
