"""What a run says about files that give no workout: every reason and detail means something."""

from __future__ import annotations

import os

from hamflow.ingest.files import Candidate, sha256_of
from hamflow.ingest.prepare import prepare_file
from hamflow.model.config_load import load_config

from ..corpus import corpus_root

CONFIG = load_config(None)


def prepared(rel: str):  # type: ignore[no-untyped-def]
    path = str(corpus_root() / rel)
    st = os.stat(path)
    return prepare_file(Candidate(path, st.st_size, st.st_mtime_ns, None, sha256_of(path)), CONFIG)


def test_a_pool_swim_without_timed_records_says_what_it_is_and_why_it_gives_no_workout() -> None:
    swim = prepared("sports-lib/7617306288.fit")
    assert (swim.status, swim.reason) == ("not_activity", "no_data")
    assert swim.detail == "swimming/lap_swimming of 5 min, 150 m: none of its 10 records has a time stamp, so no second can be analysed"


def test_the_wahoo_spin_class_with_incomplete_developer_fields_is_ingested_whole() -> None:
    spin = prepared("fitutils/test.fit")
    assert spin.status == "ingested" and spin.workouts.height == 1
    assert spin.detail is not None and "developer field descriptions without a field number" in spin.detail
