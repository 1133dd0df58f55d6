"""The model's per-file entry points: classifying from sessions already screened is classifying."""

from __future__ import annotations

import pytest

from hamflow.fit import read_fit
from hamflow.model.classify import classify_file, screen_file
from hamflow.model.config_load import load_config

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
