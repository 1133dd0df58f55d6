"""Efforts need consecutive seconds; segments merge flicker but keep efforts."""

from __future__ import annotations

import dataclasses

import pytest

from hamflow.model import DEFAULT_CONFIG

from .frames import classify, records

T = DEFAULT_CONFIG.model.thresholds
VMAX = DEFAULT_CONFIG.default_profile.vmax_mps
FAST = 0.93 * VMAX


def sprint_session(bursts: list[int], rest: int = 60, walk: float = 1.3) -> list[float]:
    speeds = [2.8] * 120
    for n in bursts:
        speeds += [FAST] * n + [walk] * rest
    return speeds + [2.8] * 120


def test_effort_needs_two_consecutive_seconds() -> None:
    speeds = sprint_session([1, 2, 8, 1])
    # Bursts this abrupt are GPS spikes to the quality screen: switched off, so the effort rule
    # alone is tested.
    quality = dataclasses.replace(DEFAULT_CONFIG.model.quality, max_speed_jump_mps=100.0)
    config = dataclasses.replace(DEFAULT_CONFIG, model=dataclasses.replace(DEFAULT_CONFIG.model, quality=quality))
    s = classify(records(len(speeds), speed=speeds, grade=0.0), config=config).summary
    assert s.sprint_efforts == 2
    assert not s.is_sprint_session


def test_three_efforts_make_a_sprint_session_and_a_leg_day() -> None:
    speeds = sprint_session([8, 8, 8])
    s = classify(records(len(speeds), speed=speeds, grade=0.0)).summary
    assert s.sprint_efforts == 3
    assert s.is_sprint_session and s.is_leg_day
    assert s.workout_class == "posterior" and s.class_rule == "sprint_session"
    assert s.sprint_distance_m > 0 and s.maxv_s == 0  # 93 % of vmax is a sprint but not maxv


def test_a_gap_in_the_data_splits_an_effort() -> None:
    seconds = list(range(100)) + list(range(130, 230))
    speeds = [2.8] * 95 + [FAST] * 5 + [FAST] * 5 + [2.8] * 95
    s = classify(records(200, speed=speeds, grade=0.0, seconds=seconds)).summary
    assert s.sprint_efforts == 2


def test_segments_merge_short_runs_but_keep_sprints() -> None:
    # steady jog with single-second dips to walking pace, then a sprint and a walk
    speeds = [2.5 if i % 40 else 1.9 for i in range(300)] + [FAST] * 6 + [1.3] * 120
    result = classify(records(len(speeds), speed=speeds, grade=0.0))
    segments = result.segments
    assert segments["pattern"].to_list() == ["RUN_EASY", "SPRINT", "WALK_FLAT"]
    assert segments["duration_s"].sum() == len(speeds)
    # merging is only for reading: the loads are the same as the seconds'
    assert segments["posterior_load"].sum() == pytest.approx(result.samples["posterior_load"].sum(), rel=1e-12)
