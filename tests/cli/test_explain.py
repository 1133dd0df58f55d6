"""``hamflow explain`` on one file: segments, verdict, reasons."""

from __future__ import annotations

import random
from pathlib import Path

from click.testing import CliRunner

from hamflow.cli import cli
from samplegen import ANA
from samplegen.pair import render_pair
from samplegen.plan import spec_at_local

from ..helpers import SAMPLES

EXAMPLE = Path(__file__).resolve().parents[2] / "hamflow.example.toml"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["explain", *args])
    return result.exit_code, result.output


def test_incline_walk_is_explained() -> None:
    code, out = run(str(SAMPLES / "ana/2026-10-15-1900-incline_walk.fit"))
    assert code == 0, out
    assert "Segments" in out and "WALK_STEEP" in out and "WALK_INCLINE" in out
    assert "grade from the device's own grade field" in out
    assert "Verdict: POSTERIOR" in out
    assert "of moving time walking at ≥ 10 % grade (WALK_STEEP, p = 0.65)" in out
    assert "balance B = 0.6" in out


def test_sprint_session_with_athlete_and_config() -> None:
    code, out = run(
        str(SAMPLES / "ana/2026-10-07-1830-track_sprints.fit"), "--athlete", "ana", "--config", str(EXAMPLE)
    )
    assert code == 0, out
    assert "(athlete: ana;" in out and "threshold speed 4.3 m/s" in out
    assert out.count(" SPRINT ") >= 5
    assert "sprint session" in out and "Verdict: POSTERIOR" in out


def test_athlete_found_by_device_serial() -> None:
    code, out = run(str(SAMPLES / "ben/2026-10-08-1800-row.fit"), "--config", str(EXAMPLE))
    assert code == 0, out
    assert "(athlete: ben;" in out and "rower threshold power 235 W" in out


def test_errors_are_reported_cleanly(tmp_path: Path) -> None:
    code, out = run(str(SAMPLES / "ana/2026-10-09-0700-easy_run.fit"))
    assert code != 0 and "cannot be decoded (empty_file)" in out
    bad = tmp_path / "bad.toml"
    bad.write_text("[model.p]\nwalk_stepp = 1\n")
    code, out = run(str(SAMPLES / "ana/2026-10-15-1900-incline_walk.fit"), "--config", str(bad))
    assert code != 0 and "unknown key 'walk_stepp'" in out


def test_explain_with_the_watch_says_which_streams_came_from_which_file(tmp_path: Path) -> None:
    spec = spec_at_local(random.Random(5), ANA, "2026-10-14 18:00", "incline_walk", 1800)
    pair = render_pair(spec, watch_late_s=6, watch_clock_s=-3)
    machine, watch = tmp_path / "treadmill.fit", tmp_path / "watch.fit"
    machine.write_bytes(pair.machine)
    watch.write_bytes(pair.watch)
    code, out = run(str(machine), "--with", str(watch))
    assert code == 0, out
    assert "treadmill.fit session 1: counts, completed with heart_rate_bpm from watch.fit session 1" in out
    assert "grade from the device's own grade field" in out and "Verdict: POSTERIOR" in out
    code, out = run(str(watch), "--with", str(machine))
    assert code == 0, out
    assert "watch.fit session 1: a second recording of treadmill.fit session 1 (its clock -3 s" in out
