"""The sample generator is reproducible and its committed output is what it claims.

The committed ``sample_fit/`` folder is the fixture other tests build on,
so these checks pin it to the generator (byte for byte) and verify the
properties the analysis relies on: decodability, record counts, local
offsets, developer fields, sprint speeds, recoverable hill grade and the
four kinds of broken file.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import fitparse
import garmin_fit_sdk
import pytest
from fitparse.utils import FitCRCError, FitEOFError, FitHeaderError, FitParseError

from samplegen import (
    DEFAULT_SEED,
    MANIFEST_NAME,
    PlannedFile,
    athlete_year,
    build_month,
    generate_month,
    load_manifest,
    render_file,
    render_workout,
)

SAMPLE = Path(__file__).resolve().parents[2] / "sample_fit"
SPRINT_SPEED = 0.9 * 8.0
HILL_SPEED = 0.75 * 8.0


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def runs(flags: list[bool]) -> list[tuple[int, int]]:
    """[start, end) index ranges where ``flags`` is true."""
    out, start = [], None
    for i, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            out.append((start, i))
            start = None
    return out


def slope(xs: list[float], ys: list[float]) -> float:
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=False)) / sum((x - mx) ** 2 for x in xs)


@pytest.fixture(scope="module")
def manifest() -> dict:
    return load_manifest(SAMPLE)


@pytest.fixture(scope="module")
def entries(manifest: dict) -> dict[str, dict]:
    return {e["path"]: e for e in manifest["files"]}


@pytest.fixture(scope="module")
def decoded(entries: dict[str, dict]) -> dict[str, dict[str, list[dict]]]:
    """Every good committed file decoded with fitparse (CRC checked), messages grouped by name."""
    out = {}
    for path, entry in entries.items():
        if entry["broken"]:
            continue
        grouped: dict[str, list[dict]] = defaultdict(list)
        for message in fitparse.FitFile(str(SAMPLE / path), check_crc=True).get_messages():
            grouped[message.name].append(message.get_values())
        out[path] = grouped
    return out


def of_kind(entries: dict[str, dict], kind: str) -> list[str]:
    return [p for p, e in entries.items() if e["kind"] == kind and not e["broken"]]


def test_regeneration_is_byte_identical(tmp_path: Path, manifest: dict) -> None:
    assert manifest["fit_sdk"] == garmin_fit_sdk.__version__, "sample_fit/ was written by another FIT SDK release"
    generate_month(tmp_path, DEFAULT_SEED)
    assert (tmp_path / MANIFEST_NAME).read_text() == (SAMPLE / MANIFEST_NAME).read_text()
    for entry in manifest["files"]:
        assert sha256(tmp_path / entry["path"]) == sha256(SAMPLE / entry["path"]), entry["path"]
    committed = {p.relative_to(SAMPLE).as_posix() for p in SAMPLE.rglob("*") if p.is_file()}
    assert committed == {e["path"] for e in manifest["files"]} | {MANIFEST_NAME}


def test_plan_matches_manifest(manifest: dict) -> None:
    assert manifest["seed"] == DEFAULT_SEED
    assert [f.relpath for f in build_month()] == [e["path"] for e in manifest["files"]]


def test_a_different_seed_changes_the_bytes(entries: dict[str, dict]) -> None:
    other = next(f for f in build_month(DEFAULT_SEED + 1) if f.broken is None)
    data, _ = render_file(other)
    assert hashlib.sha256(data).hexdigest() != sha256(SAMPLE / other.relpath)


def test_month_shape(entries: dict[str, dict]) -> None:
    per_athlete = defaultdict(int)
    for entry in entries.values():
        per_athlete[entry["athlete"]] += 1
    assert 16 <= per_athlete["ana"] <= 20 and 8 <= per_athlete["ben"] <= 12
    assert any(p.endswith(".FIT") for p in entries)
    assert sorted(e["broken"] for e in entries.values() if e["broken"]) == [
        "crc_mismatch",
        "empty_file",
        "not_fit",
        "truncated",
    ]
    assert {e["utc_offset_min"] for e in entries.values() if e["athlete"] == "ana"} == {60, 120}
    assert {e["utc_offset_min"] for e in entries.values() if e["athlete"] == "ben"} == {-240, -300}


def test_local_and_utc_iso_weeks_differ_somewhere(entries: dict[str, dict]) -> None:
    crossing = set()
    for entry in entries.values():
        start = datetime.fromisoformat(entry["start_utc"].replace("Z", "+00:00"))
        local = start + timedelta(minutes=entry["utc_offset_min"])
        if start.isocalendar()[:2] != local.isocalendar()[:2]:
            crossing.add(entry["athlete"])
    assert crossing == {"ana", "ben"}


def test_ana_has_a_week_with_three_sprint_sessions(entries: dict[str, dict]) -> None:
    weeks = defaultdict(list)
    for entry in entries.values():
        if entry["athlete"] == "ana" and entry["expected_sprint_session"]:
            start = datetime.fromisoformat(entry["start_utc"].replace("Z", "+00:00"))
            weeks[(start + timedelta(minutes=entry["utc_offset_min"])).isocalendar()[:2]].append(start)
    busy = [sorted(starts) for starts in weeks.values() if len(starts) >= 3]
    assert busy
    gaps = [(b - a).total_seconds() / 3600 for a, b in zip(busy[0], busy[0][1:], strict=False)]
    assert any(24 <= gap <= 36 for gap in gaps)


def test_good_files_decode_as_planned(entries: dict[str, dict], decoded: dict) -> None:
    for path, messages in decoded.items():
        entry = entries[path]
        assert len(messages["record"]) == entry["records"], path
        session = messages["session"][0]
        assert (session["sport"], session["sub_sport"]) == (entry["sport"], entry["sub_sport"]), path
        assert messages["file_id"][0]["type"] == "activity"
        assert messages["lap"] and messages["device_info"] and messages["event"]
        activity = messages["activity"][0]
        offset = (activity["local_timestamp"] - activity["timestamp"]).total_seconds() / 60
        assert offset == entry["utc_offset_min"], path
        assert session["start_time"].strftime("%Y-%m-%dT%H:%M:%SZ") == entry["start_utc"]
        stamps = [r["timestamp"] for r in messages["record"]]
        assert all((b - a).total_seconds() == 1 for a, b in itertools.pairwise(stamps)), path


def test_developer_incline_walk(entries: dict[str, dict], decoded: dict) -> None:
    (path,) = of_kind(entries, "incline_walk_ciq")
    records = decoded[path]["record"]
    assert all("Incline" in r and "grade" not in r for r in records)
    assert max(r["Incline"] for r in records) == 12.0
    assert decoded[path]["field_description"][0]["units"] == "%"


def test_developer_power_rower(entries: dict[str, dict], decoded: dict) -> None:
    (path,) = of_kind(entries, "row_ciq")
    records = decoded[path]["record"]
    assert all("Power" in r and "power" not in r for r in records)
    assert decoded[path]["field_description"][0]["units"] == "watts"


def test_native_rower_power_and_stroke_rate(entries: dict[str, dict], decoded: dict) -> None:
    for path in of_kind(entries, "row"):
        records = decoded[path]["record"]
        assert decoded[path]["file_id"][0]["manufacturer"] == "concept2"
        assert all(150 <= r["power"] <= 230 and 19 <= r["cadence"] <= 30 for r in records)


def test_track_sprints_reach_sprint_speed(entries: dict[str, dict], decoded: dict) -> None:
    for path in of_kind(entries, "track_sprints"):
        speed = [r["enhanced_speed"] for r in decoded[path]["record"]]
        sprints = [b - a for a, b in runs([v >= 7.3 for v in speed])]
        assert 5 <= len(sprints) <= 8 and min(sprints) >= 3, (path, sprints)
        assert SPRINT_SPEED < max(speed) <= 7.85


def test_hill_sprints_grade_recoverable_from_altitude(entries: dict[str, dict], decoded: dict) -> None:
    for path in of_kind(entries, "hill_sprints"):
        records = decoded[path]["record"]
        assert not any("grade" in r for r in records)
        reps = runs([r["enhanced_speed"] >= HILL_SPEED for r in records])
        assert 6 <= len(reps) <= 10, path
        for a, b in reps:
            rep = records[a:b]
            grade = 100 * slope([r["distance"] for r in rep], [r["enhanced_altitude"] for r in rep])
            assert abs(grade - 8.0) <= 1.5, (path, a, grade)


def test_treadmill_walks_are_steep_and_slow(entries: dict[str, dict], decoded: dict) -> None:
    for path in of_kind(entries, "incline_walk"):
        records = decoded[path]["record"]
        assert not any("position_lat" in r or "enhanced_altitude" in r for r in records)
        steep = [r for r in records if r["grade"] >= 12.0]
        assert len(steep) > 0.7 * len(records) and max(r["grade"] for r in records) <= 15.0
        assert all(1.3 <= r["enhanced_speed"] <= 1.6 for r in steep)


def test_strength_sets(entries: dict[str, dict], decoded: dict) -> None:
    for path in of_kind(entries, "strength"):
        sets = decoded[path]["set"]
        active = [s for s in sets if s["set_type"] == "active"]
        assert {s["category"] for s in active} >= {"deadlift", "hip_raise", "leg_curl", "squat"}
        assert all(s["repetitions"] and s["weight"] for s in active)


def test_broken_files_are_what_they_claim(entries: dict[str, dict]) -> None:
    planned: dict[str, PlannedFile] = {f.relpath: f for f in build_month()}
    expected_errors = {
        "empty_file": FitEOFError,
        "truncated": FitEOFError,
        "not_fit": FitHeaderError,
        "crc_mismatch": FitCRCError,
    }
    for path, entry in entries.items():
        reason = entry["broken"]
        if not reason:
            continue
        data = (SAMPLE / path).read_bytes()
        original = render_workout(planned[path].spec).data
        if reason == "empty_file":
            assert data == b""
        elif reason == "truncated":
            assert 14 < len(data) < len(original) and original.startswith(data)
        elif reason == "not_fit":
            assert data[8:12] != b".FIT"
        elif reason == "crc_mismatch":
            assert len(data) == len(original) and data[:-2] == original[:-2] and data != original
        with pytest.raises(expected_errors[reason]):
            list(fitparse.FitFile(str(SAMPLE / path), check_crc=True).get_messages())
        assert issubclass(expected_errors[reason], FitParseError)


def test_athlete_year_is_seeded_and_hour_long() -> None:
    year = athlete_year(7, n=12)
    assert year == athlete_year(7, n=12)
    assert len({f.relpath for f in year}) == 12
    assert all(f.spec.duration_s == 3600 for f in year)
    assert len({f.spec.kind for f in athlete_year(7, n=120)}) >= 10
    assert render_workout(year[0].spec).records == 3600
