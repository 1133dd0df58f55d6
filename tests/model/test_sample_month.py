"""The sample month comes out as its manifest says."""

from __future__ import annotations

import random

import polars as pl
import pytest

from hamflow.model import DEFAULT_CONFIG, reclassify, weekly_table
from hamflow.model.classify import StoredWorkout, reclassify_all, stored_evidence, stored_evidence_all
from hamflow.model.quality import DeviceTotals
from hamflow.model.weekly import workout_row

from ..conftest import SampleFile


def test_every_expected_class(month: dict[str, SampleFile]) -> None:
    checked = 0
    for path, f in month.items():
        expected = f.entry["expected_class"]
        (only,) = f.classified
        if expected is not None:
            assert only.summary.workout_class == expected, (path, only.summary.reasons)
            checked += 1
        assert only.summary.is_sprint_session == f.entry["expected_sprint_session"], path
    assert checked >= 20


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("incline_walk", "posterior"),
        ("incline_walk_ciq", "posterior"),
        ("row", "posterior"),
        ("row_ciq", "posterior"),
        ("track_sprints", "posterior"),
        ("hill_sprints", "posterior"),
        ("easy_run", "quad"),
        ("elliptical", "quad"),
        ("bike", "quad"),
    ],
)
def test_each_kind_is_covered(month: dict[str, SampleFile], kind: str, expected: str) -> None:
    files = [f for f in month.values() if f.entry["kind"] == kind]
    assert files, kind
    assert {f.classified[0].summary.workout_class for f in files} == {expected}


def test_grade_sources_of_the_treadmill_walks(month: dict[str, SampleFile]) -> None:
    sources = {f.entry["kind"]: f.classified[0].summary.grade_source for f in month.values()}
    assert sources["incline_walk"] == "record_grade"
    assert sources["incline_walk_ciq"] == "developer_incline"
    assert sources["hill_sprints"] == "altitude"
    walks = [f.classified[0].summary for f in month.values() if f.entry["kind"].startswith("incline_walk")]
    assert all(s.is_incline_walk and s.dominant_pattern == "WALK_STEEP" for s in walks)


def test_sprint_efforts_match_the_planned_repetitions(month: dict[str, SampleFile]) -> None:
    """Each planned sprint repetition is exactly one effort (the plan is the generator's)."""
    import samplegen
    from samplegen.phases import plan_for

    planned = {}
    for item in samplegen.build_month():
        if item.broken is None and "sprint" in item.spec.kind:
            spec = item.spec
            plan = plan_for(spec.kind, random.Random(spec.seed), spec.athlete, spec.duration_s)
            planned[item.relpath] = sum(1 for p in plan.phases if p.step == "active")
    assert planned
    for path, reps in planned.items():
        assert month[path].classified[0].summary.sprint_efforts == reps, path


def test_strength_sessions_are_leg_days_without_cardio_load(month: dict[str, SampleFile]) -> None:
    strength = [f.classified[0] for f in month.values() if f.entry["kind"] == "strength"]
    assert strength
    for c in strength:
        assert c.summary.is_leg_day and c.summary.leg_day_rule == "lower_body_sets"
        assert c.summary.total_load == 0 and c.summary.workout_class == "unclassified"
        assert c.summary.hip_extension_sets > 0 and c.summary.knee_extension_sets > 0
        assert set(c.sets["movement"]) <= {"hip_extension", "knee_extension", "other"}


def test_reclassify_from_stored_samples_is_exact(month: dict[str, SampleFile]) -> None:
    for path, f in month.items():
        (c,) = f.classified
        s = c.summary
        again = reclassify(
            c.samples, s.sport, s.sub_sport, DEFAULT_CONFIG, athlete_id=f.entry["athlete"], profile=c.profile,
            sets=f.result.sets, start_utc=s.start_utc, elapsed_s=f.result.sessions[0].elapsed_s, distance_m=f.result.sessions[0].distance_m,
            totals=DeviceTotals.of(f.result.sessions[0]),
        )
        assert again.samples.equals(c.samples), path
        assert again.segments.equals(c.segments), path
        assert again.summary == s, path
        # The threshold candidates found again in the stored samples are the ones ingest found.
        assert again.evidence == c.evidence, path
        totals = DeviceTotals.of(f.result.sessions[0])
        assert stored_evidence(c.samples, s.sport, s.sub_sport, DEFAULT_CONFIG, totals=totals) == c.evidence, path


def test_stored_workouts_classified_again_together_are_each_exact(month: dict[str, SampleFile]) -> None:
    """Reprocess and calibration classify stored workouts a few at a time, their queries in
    step: each comes out as it was ingested, and its candidates as found at ingest."""
    files = [f for f in month.values() if f.classified]
    stored = []
    for f in files:
        (c,) = f.classified
        s, session = c.summary, f.result.sessions[0]
        stored.append(StoredWorkout(
            c.samples, s.sport, s.sub_sport, athlete_id=f.entry["athlete"], profile=c.profile, sets=f.result.sets,
            start_utc=s.start_utc, elapsed_s=session.elapsed_s, distance_m=session.distance_m,
            totals=DeviceTotals.of(session),
        ))
    assert len(stored) >= 20
    for f, again, evidence in zip(files, reclassify_all(stored, DEFAULT_CONFIG), stored_evidence_all(stored, DEFAULT_CONFIG),
                                  strict=True):
        (c,) = f.classified
        assert again.samples.equals(c.samples) and again.segments.equals(c.segments) and again.efforts.equals(c.efforts)
        assert again.summary == c.summary and again.evidence == c.evidence == evidence


def test_a_stored_workout_that_cannot_be_classified_again_raises_its_error() -> None:
    broken = StoredWorkout(pl.DataFrame({"ts_utc": [1]}), "running", None)
    with pytest.raises(pl.exceptions.ColumnNotFoundError):
        reclassify_all([broken], DEFAULT_CONFIG)


def test_reclassify_without_distance_keeps_the_stored_grade(month: dict[str, SampleFile]) -> None:
    """The store's samples table may lack distance_m: the stored grade is then used as is."""
    f = next(f for f in month.values() if f.entry["kind"] == "hill_sprints")
    (c,) = f.classified
    again = reclassify(c.samples.drop("distance_m", "intensity_source"), "running", "generic", DEFAULT_CONFIG)
    assert again.samples["grade_pct"].equals(c.samples["grade_pct"])
    assert again.summary.workout_class == c.summary.workout_class


def weekly_of_month(month: dict[str, SampleFile], order: list[str]) -> pl.DataFrame:
    rows = []
    for path in order:
        f = month[path]
        if f.result.status != "ok":
            continue  # an ingest quarantines damaged files
        for c in f.classified:
            rows.append(workout_row(c.summary, f.result.utc_offset_min, f.entry["tz"]))
    return weekly_table(pl.DataFrame(rows), DEFAULT_CONFIG)


def test_weekly_picture_of_the_month(month: dict[str, SampleFile]) -> None:
    weeks = weekly_of_month(month, sorted(month))
    ana = {str(r["week_start"]): r for r in weeks.filter(pl.col("athlete_id") == "ana").iter_rows(named=True)}
    # ana's week 42: three sprint sessions, two of them 30 h apart
    w42 = ana["2026-10-12"]
    assert w42["sprint_sessions"] == 3
    assert w42["min_hours_between_hard_sessions"] == pytest.approx(30.0)
    assert {"sprint_sessions_over_2", "sprint_gap_under_48h"} <= set(w42["flags"])
    # the Monday 00:40 Berlin run belongs to Monday's week although it is Sunday in UTC
    assert w42["workouts"] == 5
    assert weeks.height == 8 and set(weeks["athlete_id"]) == {"ana", "ben"}
    # ben's Sunday 21:00 New York elliptical stays in that Sunday's week
    ben = weeks.filter(pl.col("athlete_id") == "ben").sort("week_start")
    assert ben["workouts"].to_list() == [3, 3, 3, 2]


def test_weekly_does_not_depend_on_file_order(month: dict[str, SampleFile]) -> None:
    paths = sorted(month)
    shuffled = paths[:]
    random.Random(5).shuffle(shuffled)
    assert weekly_of_month(month, paths).equals(weekly_of_month(month, shuffled))
