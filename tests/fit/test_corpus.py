"""The decoder on every FIT file from real devices (provenance: ../shared/fit_corpus/SOURCES.md)."""

from __future__ import annotations

import polars as pl

from hamflow.fit import RECORD_SCHEMA, FitDecodeError, FitResult

from ..corpus import CorpusFile, corpus_root


def test_corpus_is_complete(corpus: dict[str, CorpusFile]) -> None:
    """The corpus grows: every .fit file in its folder is decoded, whatever their number."""
    on_disk = {str(p.relative_to(corpus_root())) for p in corpus_root().rglob("*") if p.suffix.lower() == ".fit"}
    assert on_disk and set(corpus) == on_disk


def test_nothing_escapes(corpus: dict[str, CorpusFile]) -> None:
    escaped = {rel: c.escaped for rel, c in corpus.items() if c.escaped}
    assert escaped == {}


def test_every_file_decodes_or_is_non_activity_or_names_its_reason(corpus: dict[str, CorpusFile]) -> None:
    for rel, c in corpus.items():
        assert isinstance(c.outcome, (FitResult, FitDecodeError)), rel
        if isinstance(c.outcome, FitResult) and c.outcome.is_activity and not c.outcome.sessions:
            # Only possible when no record can be placed in time (e.g. the SDK's DeveloperData.fit).
            assert any("without a timestamp" in w for w in c.outcome.warnings), rel
            assert c.outcome.record_count < 10, rel


def test_record_counts_equal_fitparse(corpus: dict[str, CorpusFile]) -> None:
    """Clean files: exactly fitparse's count. Files fitparse gives up on: at least as many."""
    mismatched = {}
    for rel, c in corpus.items():
        if not isinstance(c.outcome, FitResult) or not c.outcome.is_activity:
            continue
        ours = c.outcome.record_count
        if (c.fitparse_error is None and ours != c.fitparse_records) or ours < c.fitparse_records:
            mismatched[rel] = (ours, c.fitparse_records, c.fitparse_error)
    assert mismatched == {}


def test_every_record_lands_in_exactly_one_session(corpus: dict[str, CorpusFile]) -> None:
    for rel, c in corpus.items():
        if not isinstance(c.outcome, FitResult) or not c.outcome.is_activity:
            continue
        in_frames = sum(s.records.height for s in c.outcome.sessions)
        dropped = c.outcome.record_count - in_frames
        assert dropped >= 0, rel
        if dropped:
            assert any("without a timestamp" in w for w in c.outcome.warnings), rel


def test_frames_have_the_canonical_schema_and_no_positions(corpus: dict[str, CorpusFile]) -> None:
    for rel, c in corpus.items():
        if not isinstance(c.outcome, FitResult):
            continue
        for s in c.outcome.sessions:
            assert dict(s.records.schema) == RECORD_SCHEMA, rel
            assert s.records["ts_utc"].is_sorted(), rel


def test_known_corrupt_files(corpus: dict[str, CorpusFile]) -> None:
    def status(rel: str) -> str:
        outcome = corpus[rel].outcome
        return outcome.reason if isinstance(outcome, FitDecodeError) else outcome.status  # type: ignore[union-attr]

    assert status("fitparse/activity-filecrc.fit") == "crc_mismatch"
    assert status("fitparse/activity-unexpected-eof.fit") == "truncated"
    assert status("fitparse/activity-settings-corruptheader.fit") == "truncated"
    assert status("fitparse/coros-pace-2-cycling-misaligned-fields.fit") == "truncated"
    # Wahoo's app left its developer field descriptions without a number: read whole anyway.
    wahoo = corpus["fitutils/test.fit"].outcome
    assert isinstance(wahoo, FitResult) and wahoo.status == "ok" and wahoo.record_count == 1930
    assert wahoo.sessions[0].records["heart_rate_bpm"].drop_nulls().len() > 1800
    assert any("developer field descriptions without a field number" in w for w in wahoo.warnings)
    # The writer never filled in the header's data size; the messages after it are read anyway.
    empty = corpus["sports-lib/empty-activities.fit"].outcome
    assert isinstance(empty, FitResult) and empty.record_count == 2319
    assert corpus["sports-lib/empty-activities.fit"].fitparse_records == 0


def test_non_activity_files_are_recognised(corpus: dict[str, CorpusFile]) -> None:
    kinds = {rel: c.outcome.kind for rel, c in corpus.items() if isinstance(c.outcome, FitResult)}
    assert kinds["fitparse/Settings.fit"] == "settings"
    assert kinds["fitparse/MonitoringFile.fit"] == "monitoring_b"
    assert kinds["fitparse/WeightScaleSingleUser.fit"] == "weight"
    assert kinds["fitparse/WorkoutIndividualSteps.fit"] == "workout"
    assert kinds["fittrackee/example.fit"] == "course"
    assert sum(1 for k in kinds.values() if k != "activity") >= 12


def test_most_real_activities_carry_heart_rate_or_speed(corpus: dict[str, CorpusFile]) -> None:
    """Guards against a mapping regression that would empty a canonical column corpus-wide."""
    frames = [
        s.records for c in corpus.values() if isinstance(c.outcome, FitResult) for s in c.outcome.sessions
    ]
    total = pl.concat(frames)
    assert total.height > 600_000
    for column, share in (("speed_mps", 0.7), ("heart_rate_bpm", 0.6), ("distance_m", 0.7), ("power_w", 0.15)):
        assert total[column].is_not_null().mean() > share, column
