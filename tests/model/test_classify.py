"""The model's per-file entry points: classifying from sessions already screened is classifying, and
classifying files together is classifying each alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from hamflow.fit import read_fit
from hamflow.model.classify import (
    ClassifiedSession,
    FileToClassify,
    classify_file,
    classify_files,
    screen_file,
    screen_files,
)
from hamflow.model.config_load import load_config
from hamflow.model.efforts import efforts, efforts_of
from hamflow.model.segments import segments, segments_of

from ..helpers import sample

CONFIG = load_config(None)


@pytest.mark.parametrize("kind", ["easy_run", "strength", "row_ciq"])
def test_classifying_from_the_screened_sessions_gives_what_classifying_the_file_gives(kind: str) -> None:
    result = read_fit(sample(kind))
    screened = screen_file(result, CONFIG)
    direct = classify_file(result, athlete_id="ana", config=CONFIG)
    assert [s.shown.candidates for s in screened] == [c.evidence for c in direct]  # what the survey learns
    resumed = classify_file(result, athlete_id="ana", config=CONFIG, screened=screened)
    assert len(direct) == len(resumed) == len(result.sessions)
    for a, b in zip(direct, resumed, strict=True):
        assert a.summary == b.summary and a.evidence == b.evidence and a.profile == b.profile
        for frame in ("samples", "segments", "sets", "efforts"):
            assert getattr(a, frame).equals(getattr(b, frame)), frame


def test_screened_sessions_of_another_file_are_refused() -> None:
    result = read_fit(sample("easy_run"))
    with pytest.raises(ValueError, match="screened sessions"):
        classify_file(result, athlete_id="ana", config=CONFIG, screened=[])


def _same(a: ClassifiedSession, b: ClassifiedSession) -> None:
    assert a.summary == b.summary and a.evidence == b.evidence and a.profile == b.profile
    for frame in ("samples", "segments", "sets", "efforts"):
        assert getattr(a, frame).equals(getattr(b, frame)), frame


def test_files_classified_together_give_what_each_gives_alone() -> None:
    kinds = ["track_sprints", "strength", "hill_sprints", "row_ciq", "incline_walk", "bike", "tempo_run"]
    results = [read_fit(sample(kind)) for kind in kinds]
    together = classify_files([FileToClassify(r, "ana") for r in results], CONFIG)
    for result, sessions in zip(results, together, strict=True):
        assert not isinstance(sessions, Exception)
        alone = classify_file(result, athlete_id="ana", config=CONFIG)
        assert len(sessions) == len(alone) == len(result.sessions)
        for a, b in zip(alone, sessions, strict=True):
            _same(a, b)
    sprints = together[0]
    assert not isinstance(sprints, Exception) and not sprints[0].efforts.is_empty()  # the comparison saw efforts


def test_files_screened_together_give_what_each_gives_alone() -> None:
    results = [read_fit(sample(kind)) for kind in ("easy_run", "row_ciq", "strength", "hill_sprints")]
    for result, together in zip(results, screen_files(results, CONFIG), strict=True):
        assert not isinstance(together, Exception)
        alone = screen_file(result, CONFIG)
        assert len(together) == len(alone) == len(result.sessions)
        for a, b in zip(alone, together, strict=True):
            assert a.shown == b.shown and a.kind == b.kind and a.completed.equals(b.completed)
            assert a.screened.frame.equals(b.screened.frame) and a.screened.warnings == b.screened.warnings


def test_a_file_that_cannot_be_classified_leaves_the_others_of_its_batch_classified() -> None:
    run, row = read_fit(sample("easy_run")), read_fit(sample("row_ciq"))
    out = classify_files([FileToClassify(run, "ana"), FileToClassify(run, "ana", screened=[]), FileToClassify(row, "ana")],
                         CONFIG)
    assert isinstance(out[1], ValueError) and "screened sessions" in str(out[1])
    for result, sessions in ((run, out[0]), (row, out[2])):
        assert not isinstance(sessions, Exception)
        _same(classify_file(result, athlete_id="ana", config=CONFIG)[0], sessions[0])


def test_sessions_one_second_apart_keep_their_own_efforts_and_segments() -> None:
    # The second session goes on at sprint pace one second after the first ends with a second at
    # sprint pace: stacked, the seconds look continuous, but no effort or segment may span the
    # two (alone, the first session's last second is too short for an effort or a segment).
    start = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)

    def session(first_s: int, patterns: list[str]) -> pl.DataFrame:
        n = len(patterns)
        return pl.DataFrame({
            "ts_utc": [start + timedelta(seconds=first_s + i) for i in range(n)],
            "dt_s": [1.0] * n, "speed_mps": [9.0 if p == "SPRINT" else 3.0 for p in patterns],
            "grade_pct": [0.0] * n, "power_w": [None] * n, "intensity_factor": [1.0] * n,
            "pattern": patterns, "posterior_load": [0.01] * n, "quad_load": [0.02] * n,
            "maxv": [p == "SPRINT" for p in patterns],
        }, schema_overrides={"power_w": pl.Float64, "ts_utc": pl.Datetime("us", "UTC")})

    first = session(0, ["RUN_EASY"] * 30 + ["SPRINT"])
    second = session(31, ["SPRINT"] * 5 + ["RUN_EASY"] * 40)
    empty = first.clear()
    frames = [first, empty, second]
    thresholds = CONFIG.model.thresholds
    stacked_efforts = efforts_of(frames, min_samples=thresholds.effort_min_samples)
    stacked_segments = segments_of(frames, min_seconds=CONFIG.model.sampling.segment_min_s,
                                   effort_min_samples=thresholds.effort_min_samples)
    for frame, e, s in zip(frames, stacked_efforts, stacked_segments, strict=True):
        assert e.equals(efforts(frame, min_samples=thresholds.effort_min_samples))
        assert s.equals(segments(frame, min_seconds=CONFIG.model.sampling.segment_min_s,
                                 effort_min_samples=thresholds.effort_min_samples))
    assert stacked_efforts[0].filter(pl.col("kind") == "sprint").is_empty()
    assert stacked_segments[0].get_column("pattern").to_list() == ["RUN_EASY"]
    assert stacked_efforts[2].filter(pl.col("kind") == "sprint").get_column("duration_s").to_list() == [5.0]
    assert stacked_segments[2].get_column("segment_index").to_list() == [0, 1]
