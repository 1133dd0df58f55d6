"""What a run says about files that give no workout: every reason and detail means something."""

from __future__ import annotations

import os

from hamflow.ingest.files import Candidate, sha256_of
from hamflow.ingest.prepare import prepare_batch, prepare_file
from hamflow.model.config_load import load_config

from ..corpus import corpus_root
from ..helpers import SAMPLES, manifest, sample

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


def test_a_batch_of_files_is_prepared_as_each_file_alone() -> None:
    # A pool swim (no workout), a corrupt file, a spin class and two sample workouts: the batch
    # classifies the workouts' sessions together and gives each file what it gives alone.
    paths = [str(corpus_root() / rel) for rel in ("sports-lib/7617306288.fit", "fitutils/test.fit")]
    paths += [str(sample(kind)) for kind in ("track_sprints", "incline_walk")]
    paths.append(str(next(SAMPLES / f["path"] for f in manifest() if f["broken"])))
    candidates = [Candidate(p, os.stat(p).st_size, os.stat(p).st_mtime_ns, None, sha256_of(p)) for p in paths]
    together = prepare_batch(candidates, CONFIG)
    statuses = [p.status for p in together]
    assert statuses[0] == "not_activity" and statuses[1:4] == ["ingested"] * 3 and statuses[4] == "quarantined"
    for candidate, batched in zip(candidates, together, strict=True):
        alone = prepare_file(candidate, CONFIG)
        assert (batched.path, batched.status, batched.reason, batched.detail) == (alone.path, alone.status, alone.reason, alone.detail)
        for frame in ("workouts", "workout_patterns", "segments", "samples", "strength_sets", "workout_evidence"):
            assert getattr(batched, frame).equals(getattr(alone, frame)), frame
