"""The report in a real headless Chromium with the network cut off."""

from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from hamflow.cli import cli
from hamflow.store.connection import connection
from hamflow.store.schema import ensure_schema

from .browser import open_offline

#: Vega draws data marks in groups classed "role-mark"; axes and legends have other roles.
MARKS_PER_CHART = """
Array.from(document.querySelectorAll('section[data-athlete="%s"] .chart, section[data-athlete="%s"] .workout-chart')).map(
  d => [d.id, d.querySelectorAll('g.role-mark > path, g.role-mark > line, g.role-mark > g, g.role-mark path').length])
"""


def ingest(db: Path, *files: Path, athlete: str = "ana") -> None:
    result = CliRunner().invoke(
        cli, ["ingest", *map(str, files), "--athlete", athlete, "--db", str(db), "--engine", "local", "--settle", "0"]
    )
    assert result.exit_code == 0, result.output


def write_report(db: Path, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(cli, ["report", "--db", str(db), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def report(month_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    write_report(month_db, out)
    return out


def test_every_chart_draws_marks_offline_without_errors(report: Path, tmp_path: Path) -> None:
    html = report.read_text()
    assert "<script src=" not in html and "cdn." not in html  # everything inline
    with open_offline(report) as visit:
        page = visit.page
        page.evaluate("window.hamflowReady")
        athletes = page.eval_on_selector_all("section.athlete", "els => els.map(e => e.dataset.athlete)")
        assert athletes == ["ana", "ben"]
        for athlete in athletes:
            page.select_option("#athlete-select", athlete)
            assert page.is_visible(f'section[data-athlete="{athlete}"]')
            marks = dict(page.evaluate(MARKS_PER_CHART % (athlete, athlete)))
            weekly = {f"chart-{athlete}-{name}" for name in ("load", "season", "patterns", "sprints", "acwr")}
            assert weekly <= set(marks) and all(n > 0 for n in marks.values()), marks
            assert sum(name.startswith(f"chart-{athlete}-workout-") for name in marks) >= 5, marks
        page.select_option("#athlete-select", "ana")
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        assert visit.console_errors == []
        assert visit.requests == []
    assert shot.stat().st_size > 50_000


def test_the_numbers_on_the_page_are_the_databases(report: Path, month_db: Path) -> None:
    with open_offline(report) as visit:
        embedded = json.loads(visit.page.text_content("#hamflow-data") or "{}")
    with duckdb.connect(str(month_db), read_only=True) as con:
        for athlete in embedded["athletes"]:
            rows = con.execute(
                "SELECT week_start, workouts, posterior_load, quad_load, posterior_share, sprint_sessions, acwr_posterior, flags "
                "FROM weekly_posterior_load WHERE athlete_id = ? ORDER BY week_start", [athlete["athlete_id"]]
            ).fetchall()
            shown = athlete["weeks"]
            assert [w["week_start"] for w in shown] == [r[0].isoformat() for r in rows][-len(shown):]
            for week, row in zip(shown, rows[-len(shown):], strict=False):
                assert week["workouts"] == row[1] and week["sprint_sessions"] == row[5]
                assert week["flags"] == list(row[7])
                for key, value in (("posterior_load", row[2]), ("quad_load", row[3]), ("posterior_share", row[4]), ("acwr_posterior", row[6])):
                    assert (week[key] is None and value is None) or math.isclose(week[key], value, abs_tol=1e-4), key


def test_each_athletes_thresholds_are_shown_with_their_source_as_hamflow_athletes_gives_them(report: Path, month_db: Path) -> None:
    result = CliRunner().invoke(cli, ["athletes", "--db", str(month_db), "--format", "json"])
    assert result.exit_code == 0, result.output
    expected = json.loads(result.output)
    assert {r["source"] for r in expected} >= {"default", "estimated"}  # built-in numbers; the sprints estimate vmax
    with open_offline(report) as visit:
        embedded = json.loads(visit.page.text_content("#hamflow-data") or "{}")
        for athlete in embedded["athletes"]:
            mine = [r for r in expected if r["athlete_id"] == athlete["athlete_id"]]
            assert [(t["metric"], t["value"], t["source"]) for t in athlete["thresholds"]] == [
                (r["metric"], r["value"], r["source"]) for r in mine
            ]
            card = visit.page.text_content(f"#thresholds-{athlete['athlete_id']}") or ""
            for r in mine:
                assert r["metric"] in card and r["source"] in card


def test_the_text_explains_the_latest_week(report: Path) -> None:
    with open_offline(report) as visit:
        text = visit.page.text_content('section[data-athlete="ana"] .meaning') or ""
    assert "reached the posterior chain" in text


def test_empty_database_shows_a_clear_empty_state(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    with connection(db) as con:
        ensure_schema(con)
    out = tmp_path / "empty.html"
    assert "empty state" in write_report(db, out)
    with open_offline(out) as visit:
        visit.page.evaluate("window.hamflowReady")
        assert visit.page.is_visible("#empty-state")
        assert "No workouts yet" in (visit.page.text_content("#empty-state") or "")
        assert visit.page.query_selector_all(".chart") == []
        shot = tmp_path / "empty.png"
        visit.page.screenshot(path=str(shot))
        assert visit.console_errors == [] and visit.requests == []
    assert shot.stat().st_size > 5_000


def test_a_workout_with_masked_data_says_so_beside_its_verdict(tmp_path: Path) -> None:
    """A real ride with 10 s of power spikes up to 21,733 W: the page says what was masked."""
    from ..corpus import corpus_root

    db, out = tmp_path / "dq.duckdb", tmp_path / "dq.html"
    ingest(db, corpus_root() / "goldencheetah" / "20130717_143733.fit", athlete="rider")
    write_report(db, out)
    with open_offline(out) as visit:
        page = visit.page
        page.evaluate("window.hamflowReady")
        text = page.inner_text('section[data-athlete="rider"] .dq')
        assert "Data quality" in text and "446 W" in text
        assert visit.console_errors == []
