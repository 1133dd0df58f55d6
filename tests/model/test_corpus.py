"""Every real activity in the corpus goes through the model; the class distribution is pinned.

Uses the session-wide ``corpus`` fixture (decoded once for all tests), so it adds only the
model's own time, a few seconds.
"""

from __future__ import annotations

from collections import Counter

import pytest

from hamflow.fit import Session
from hamflow.model import DEFAULT_CONFIG, ClassifiedSession
from hamflow.model.sports import Activity, activity_of

#: (activity, workout_class) over every session of every decodable activity file. A change here
#: means the model classifies real files differently: review it, then update the numbers.
EXPECTED = Counter(
    {
        ("bike", "quad"): 72,  # fitutils/test.fit, a Wahoo spin class, now read whole (was malformed)
        ("bike", "unclassified"): 1,
        ("elliptical", "quad"): 1,
        # Each file judged by the thresholds its own samples show (docs/model.md section 9): the
        # strides run and IpBike's intervals become posterior, two steady runs mixed.
        ("on_foot", "mixed"): 17,
        ("on_foot", "posterior"): 4,
        ("on_foot", "quad"): 25,
        ("on_foot", "unclassified"): 11,
        ("other", "posterior"): 1,  # rowingdata/3x250m.fit: a generic-sport row, recognised from its data
        ("other", "unclassified"): 47,
        ("row", "posterior"): 8,
        ("strength", "unclassified"): 5,
    }
)

CARDIO = {Activity.ON_FOOT, Activity.BIKE, Activity.ROW, Activity.ELLIPTICAL, Activity.STAIR}


@pytest.mark.slow
def test_corpus_class_distribution(classified_corpus: list[tuple[str, Session, ClassifiedSession]]) -> None:
    seen: Counter[tuple[str, str]] = Counter()
    for rel, _session, classified in classified_corpus:
        s = classified.summary
        activity = activity_of(s.sport, s.sub_sport)
        seen[(activity.value, s.workout_class)] += 1
        if activity in CARDIO and s.loaded_s >= DEFAULT_CONFIG.model.classes.min_loaded_s:
            assert s.workout_class in ("posterior", "quad", "mixed"), (rel, s.reasons)
        assert s.reasons, rel
        assert s.total_load >= 0 and s.posterior_load >= 0 and s.quad_load >= 0, rel
    assert seen == EXPECTED
