"""``inspect``, ``explain`` and ``ingest`` on archives as people download them."""

from __future__ import annotations

from pathlib import Path

import duckdb
from click.testing import CliRunner

from hamflow.cli import cli

from ..archives import GARMIN_PART, activity, corrupt_gzip, garmin_export, strava_export


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), terminal_width=400)
    return result.exit_code, result.output


def test_inspect_lists_the_members_of_a_garmin_export_and_counts_what_is_not_fit(tmp_path: Path) -> None:
    export = tmp_path / "export.zip"
    members = garmin_export(export, [activity(2), activity(3)])
    code, out = run("inspect", "--summary", str(export))
    assert code == 0, out
    lines = out.splitlines()
    for member in members:
        (line,) = [line for line in lines if line.startswith(member)]
        assert " activity " in line
    assert "2 files, 0 could not be decoded" in out
    assert "skipped: not FIT (2 files, counted, not read): .json 1, .txt 1" in out


def test_inspect_on_a_strava_folder_shows_a_damaged_gzip_with_its_reason(tmp_path: Path) -> None:
    strava_export(tmp_path / "strava", [activity(0)])
    corrupt_gzip(tmp_path / "strava" / "activities" / "cut.fit.gz", activity(1))
    code, out = run("inspect", str(tmp_path / "strava"))
    assert code == 0, out
    assert f"{tmp_path}/strava/activities/cut.fit.gz!cut.fit\n  error      bad_archive: damaged or truncated archive" in out
    assert f"{tmp_path}/strava/activities/1000.fit.gz!1000.fit\n  kind       activity (ok)" in out


def test_explain_reads_one_member_by_its_archive_path(tmp_path: Path) -> None:
    export = tmp_path / "export.zip"
    garmin_export(export, [activity(2)])
    member = f"{export}!{GARMIN_PART}!{activity(2).name}"
    code, out = run("explain", member)
    assert code == 0, out
    assert out.startswith(member) and "Session 1:" in out
    code, out = run("explain", f"{export}!missing.fit")
    assert code != 0 and "no FIT member 'missing.fit'" in out and "hamflow inspect" in out


def test_ingest_of_an_export_zip_as_downloaded_reports_what_is_not_fit(tmp_path: Path) -> None:
    export = tmp_path / "export.zip"
    garmin_export(export, [activity(2)])
    db = tmp_path / "h.duckdb"
    code, out = run("ingest", str(export), "--db", str(db), "--engine", "local", "--settle", "0", "--athlete", "ana")
    assert code == 0, out
    assert "skipped: not FIT (2 files, counted, not read): .json 1, .txt 1" in out
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT athlete_id, status FROM fit_files").fetchall() == [("ana", "ingested")]


def test_a_folder_with_nothing_but_other_files_says_what_it_found(tmp_path: Path) -> None:
    (tmp_path / "a.gpx").write_text("<gpx/>")
    code, out = run("ingest", str(tmp_path), "--db", str(tmp_path / "h.duckdb"), "--engine", "local", "--settle", "0")
    assert code != 0 and out.count("\n") == 1
    assert "no FIT files under" in out and "1 files that are not FIT: .gpx 1" in out
