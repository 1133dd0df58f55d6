"""A workout's thresholds from the other workouts' timeline (``PriorThresholds``) are the values
the timeline of all of them holds at its start: the promise that lets a worker classify once."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import polars as pl

from hamflow.model import DEFAULT_CONFIG, parse_config
from hamflow.model.config import HamflowConfig
from hamflow.model.thresholds import METRIC_NAMES, PRIOR_COLUMNS, Candidate, PriorThresholds, WorkoutRef, profile_with, timeline

T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
#: Around each default, so candidates both stay below it and raise it (vmax also below its floor).
AROUND = {"vmax_mps": (4.0, 9.5), "threshold_speed_mps": (3.0, 4.5), "bike_threshold_power_w": (150.0, 260.0),
          "rower_threshold_power_w": (140.0, 230.0), "hr_max_bpm": (170.0, 200.0)}


def _history(seed: int, athlete: str) -> list[WorkoutRef]:
    """Workouts with random candidates; some share a start (ordered by id) or a candidate value."""
    rng = random.Random(seed)
    refs = []
    for k in range(40):
        start = T0 + timedelta(hours=12 * rng.randrange(30))
        found = {m: Candidate(m, round(rng.uniform(*AROUND[m]), 1), "") for m in METRIC_NAMES if rng.random() < 0.5}
        refs.append(WorkoutRef(f"{athlete}-{k:02d}", start, found))
    return refs


def _rows(athlete: str, refs: list[WorkoutRef]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"athlete_id": athlete, "workout_id": r.workout_id, "start_utc": r.start_utc, "metric": c.metric, "value": c.value}
         for r in refs for c in r.candidates.values()],
        schema={"athlete_id": pl.Utf8, "workout_id": pl.Utf8, "start_utc": pl.Datetime("us", "UTC"), "metric": pl.Utf8,
                "value": pl.Float64},
    ).select(PRIOR_COLUMNS)


def _agree(config: HamflowConfig, athlete: str, seed: int) -> None:
    refs = _history(seed, athlete)
    at = timeline(athlete, refs, config).at
    base = config.profile(athlete)
    everyone = PriorThresholds.of(_rows(athlete, refs))
    for r in refs:
        others = PriorThresholds.of(_rows(athlete, [o for o in refs if o is not r]))
        got = others.profile(config, athlete, r.workout_id, r.start_utc, tuple(r.candidates.values()))
        assert got == profile_with(base, at[r.workout_id]), r.workout_id
        # A survey that saw the workout itself changes nothing: only those before it count.
        assert everyone.profile(config, athlete, r.workout_id, r.start_utc, tuple(r.candidates.values())) == got


def test_every_workout_gets_the_values_the_whole_timeline_holds_at_its_start() -> None:
    for seed in range(5):
        _agree(DEFAULT_CONFIG, "ana", seed)


def test_configured_values_and_a_disabled_calibration_win_over_the_priors_as_over_the_timeline() -> None:
    configured = parse_config("[athletes.ana]\nvmax_mps = 7.0\nhr_max_bpm = 185\n")
    _agree(configured, "ana", 11)
    _agree(parse_config("[model.calibration]\nenabled = false\n"), "ana", 12)


def test_another_athletes_workouts_change_nothing() -> None:
    ana, ben = _history(1, "ana"), _history(2, "ben")
    priors = PriorThresholds.of(pl.concat([_rows("ana", ana[:1]), _rows("ben", ben)]))
    r = ana[1]
    alone = PriorThresholds.of(_rows("ana", ana[:1])).profile(DEFAULT_CONFIG, "ana", r.workout_id, r.start_utc, tuple(r.candidates.values()))
    assert priors.profile(DEFAULT_CONFIG, "ana", r.workout_id, r.start_utc, tuple(r.candidates.values())) == alone
