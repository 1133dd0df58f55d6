"""Canonical columns on real files that have them, with values read off the files."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hamflow.fit import FitResult

from ..corpus import CorpusFile


def result(corpus: dict[str, CorpusFile], rel: str) -> FitResult:
    outcome = corpus[rel].outcome
    assert isinstance(outcome, FitResult), rel
    return outcome


def row(r: FitResult, i: int, session: int = 0) -> dict:
    return r.sessions[session].records.row(i, named=True)


def test_enhanced_speed_only(corpus: dict[str, CorpusFile]) -> None:
    r = result(corpus, "fit2parquets/Afternoon_Run.fit")
    s = r.sessions[0]
    assert s.sources["speed_mps"] == "enhanced_speed"
    assert s.sources["altitude_m"] == "enhanced_altitude"
    values = row(r, 100)
    assert values["ts_utc"] == datetime(2024, 2, 29, 13, 36, 7, tzinfo=UTC)
    assert values["speed_mps"] == pytest.approx(2.865)
    assert values["altitude_m"] == pytest.approx(297.2)
    assert values["distance_m"] == pytest.approx(979.71)
    assert values["heart_rate_bpm"] == 153
    assert values["cadence"] == pytest.approx(81.5)  # cadence + fractional_cadence


def test_plain_speed_when_no_enhanced(corpus: dict[str, CorpusFile]) -> None:
    r = result(corpus, "fitparse/compressed-speed-distance.fit")
    assert r.sessions[0].sources["speed_mps"] == "speed"
    values = row(r, 100)
    assert values["speed_mps"] == pytest.approx(1.92)
    assert values["distance_m"] == pytest.approx(942.1875)


def test_native_grade_and_power(corpus: dict[str, CorpusFile]) -> None:
    r = result(corpus, "fitparse/2019-02-17-062644-ELEMNT-297E-195-0.fit")
    s = r.sessions[0]
    assert s.sources["grade_pct"] == "grade"
    assert s.sources["power_w"] == "power"
    values = row(r, 1000)
    assert values["ts_utc"] == datetime(2019, 2, 17, 7, 31, 8, tzinfo=UTC)
    assert values["power_w"] == 141
    assert values["speed_mps"] == pytest.approx(6.717)


def test_developer_incline(corpus: dict[str, CorpusFile]) -> None:
    r = result(corpus, "peloton-to-garmin/Fenix_Incline.fit")
    s = r.sessions[0]
    assert (s.sport, s.sub_sport) == ("running", "treadmill")
    assert s.sources["incline_pct"] == "dev:inclineRunn"
    assert s.sources["grade_pct"] is None
    assert s.records["incline_pct"].null_count() == 0
    assert r.utc_offset_min == -360


def test_developer_power_on_an_erg(corpus: dict[str, CorpusFile]) -> None:
    r = result(corpus, "fitparse/20170518-191602-1740899583.fit")
    s = r.sessions[0]
    assert (s.sport, s.sub_sport) == ("fitness_equipment", "indoor_rowing")
    assert s.sources["power_w"] == "dev:Power"
    values = row(r, 29)
    assert values["power_w"] == 379
    assert values["cadence"] == pytest.approx(58.5)
    assert values["heart_rate_bpm"] == 141  # native heart rate wins over the app's copy
    assert r.utc_offset_min == 60


def test_multi_session_triathlon(corpus: dict[str, CorpusFile]) -> None:
    r = result(corpus, "fit-file-parser/triathlon_summary_first.fit")
    assert [s.sport for s in r.sessions] == ["swimming", "transition", "cycling", "transition", "running"]
    assert [s.records.height for s in r.sessions] == [676, 156, 1566, 70, 1575]
    assert sum(s.records.height for s in r.sessions) == r.record_count == 4043
    run = r.sessions[4]
    assert run.start_utc == datetime(2023, 9, 2, 13, 56, 34, tzinfo=UTC)
    assert run.records["ts_utc"].min() >= run.start_utc


def test_chained_blocks_with_buffered_heart_rate(corpus: dict[str, CorpusFile]) -> None:
    r = result(corpus, "elevate/spiros-02.fit")
    assert r.chained_blocks == 4
    s = r.sessions[0]
    assert s.sources["heart_rate_bpm"] == "hr_messages"
    hr = s.records["heart_rate_bpm"]
    assert hr.null_count() == 0
    assert 60 < hr.min() and hr.max() < 200  # type: ignore[operator]
    assert row(r, 600)["heart_rate_bpm"] == 98


def test_compressed_timestamps(corpus: dict[str, CorpusFile]) -> None:
    r = result(corpus, "fitparse/antfs-dump.63.fit")
    ts = r.sessions[0].records["ts_utc"]
    assert r.record_count == ts.len() == 686
    assert ts.is_sorted() and ts.n_unique() == 686
    assert (ts[-1] - ts[0]).total_seconds() == 16444667 - 16441242
    assert any("device power-on" in w for w in r.warnings)


def test_truncated_salvage(corpus: dict[str, CorpusFile]) -> None:
    r = result(corpus, "fitparse/activity-unexpected-eof.fit")
    assert r.status == "truncated"
    assert r.record_count == 14


def test_upper_case_extension(corpus: dict[str, CorpusFile]) -> None:
    upper = [rel for rel in corpus if rel.endswith(".FIT")]
    assert len(upper) >= 2
    for rel in upper:
        assert isinstance(corpus[rel].outcome, FitResult), rel
