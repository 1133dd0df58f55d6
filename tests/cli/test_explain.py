"""``hamflow explain`` on one file: segments, verdict, reasons."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from hamflow.cli import cli

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
