"""What a coach reads beyond the weekly charts, in a real headless Chromium with the network off:
why a chart is empty, how old the data is, one weeks axis, the season, and each recent workout
drawn over time beside its verdict."""

from __future__ import annotations

import json
import math
from datetime import datetime
from itertools import combinations
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from hamflow.cli import cli
from hamflow.model.patterns import SPECS, Pattern
from hamflow.report.notes import latest_data_note
from hamflow.report.workout import MAX_POINTS, MIN_BUCKET_S

from ..corpus import corpus_root
from ..helpers import SAMPLES
from .browser import open_drawn, open_offline
from .test_report import MARKS_PER_CHART, ingest, write_report

#: The text of every x-axis label of one chart (Vega labels each axis group "X-axis ..." for screen readers).
AXIS_LABELS = """id => Array.from(document.querySelectorAll('#' + id + ' g.role-axis[aria-label^="X-axis"] g.role-axis-label text'))
  .map(t => t.textContent)"""


def marks(page: object, athlete: str) -> dict[str, int]:
    return dict(page.evaluate(MARKS_PER_CHART % (athlete, athlete)))  # type: ignore[attr-defined]


def test_one_hard_session_shows_why_the_gap_and_spike_charts_are_empty(tmp_path: Path) -> None:
    db, out = tmp_path / "one.duckdb", tmp_path / "one.html"
    ingest(db, SAMPLES / "ana" / "2026-10-07-1830-track_sprints.fit")
    write_report(db, out)
    with open_drawn(out) as visit:
        page = visit.page
        gap = page.inner_text("#empty-ana-spacing")
        assert "needs two hard sessions" in gap and "one hard session" in gap
        assert "28 days of history" in page.inner_text("#empty-ana-acwr")
        assert page.query_selector("#chart-ana-spacing") is None and page.query_selector("#chart-ana-acwr") is None
        drawn = marks(page, "ana")
        assert drawn["chart-ana-load"] > 0 and drawn["chart-ana-workout-0"] > 0
        assert visit.console_errors == [] and visit.requests == []


def test_weeks_without_a_spike_ratio_are_explained_under_the_spike_chart(month_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "month.html"
    write_report(month_db, out)
    with duckdb.connect(str(month_db), read_only=True) as con:
        missing = con.execute("SELECT count(*) FROM weekly_posterior_load WHERE athlete_id = 'ana' AND acwr_posterior IS NULL").fetchone()
    assert missing is not None and missing[0] > 0
    with open_drawn(out) as visit:
        note = visit.page.inner_text("#acwr-history-ana")
        assert "28 days of history" in note
        assert marks(visit.page, "ana")["chart-ana-acwr"] > 0


def test_every_weekly_chart_puts_every_week_of_the_window_on_its_axis(tmp_path: Path) -> None:
    """Two sessions three weeks apart: the weeks between have no rows, yet keep their place."""
    db, out = tmp_path / "gap.duckdb", tmp_path / "gap.html"
    ingest(db, SAMPLES / "ana" / "2026-10-05-0710-easy_run.fit", SAMPLES / "ana" / "2026-10-25-1000-easy_run.fit")
    write_report(db, out)
    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute("SELECT count(*) FROM pattern_minutes_weekly WHERE athlete_id = 'ana'").fetchone()
        first, last = con.execute("SELECT min(week_start), max(week_start) FROM weekly_posterior_load").fetchone()  # type: ignore[misc]
    weeks = (last - first).days // 7 + 1
    assert stored is not None and weeks > 2
    with open_drawn(out) as visit:
        axes = {name: visit.page.evaluate(AXIS_LABELS, f"chart-ana-{name}") for name in ("load", "patterns", "sprints")}
    assert all(len(labels) == weeks for labels in axes.values()), axes
    assert axes["patterns"] == axes["load"] == axes["sprints"]


def test_latest_data_says_how_many_weeks_old_it_is(month_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "late.html"
    now = datetime(2026, 12, 4, 8, 0)
    write_report(month_db, out, "--now", now.isoformat())
    with duckdb.connect(str(month_db), read_only=True) as con:
        newest = dict(con.execute("SELECT athlete_id, max(start_local) FROM recent_workouts GROUP BY ALL").fetchall())
    with open_offline(out) as visit:
        for athlete, start in newest.items():
            weeks = (now.date() - start.date()).days // 7
            assert weeks >= 2
            text = visit.page.text_content(f"#latest-{athlete}") or ""
            assert f"latest data: {weeks} weeks ago" in text


@pytest.mark.parametrize(("days", "said"), [
    (0, "today"), (1, "yesterday"), (13, "13 days ago"), (14, "2 weeks ago"), (36, "5 weeks ago"),
    (-1, "tomorrow, a clock ahead?"), (-3, "in 3 days, a clock ahead?"), (-30, "in 4 weeks, a clock ahead?"),
])
def test_the_age_of_the_latest_data_is_in_days_then_weeks(days: int, said: str) -> None:
    today = datetime(2026, 12, 4).date()
    assert latest_data_note(today.fromordinal(today.toordinal() - days), today).startswith(f"latest data: {said} (")


def _distance(a: str, b: str) -> float:
    return math.dist(*(tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in (a, b)))


def test_stair_other_and_rest_are_told_apart_from_every_pattern() -> None:
    for pattern in (Pattern.STAIR, Pattern.OTHER, Pattern.REST):
        for other in Pattern:
            if other is not pattern:
                assert _distance(SPECS[pattern].colour, SPECS[other].colour) > 50, (pattern, other)
    unloaded = [SPECS[p].colour for p in (Pattern.REST, Pattern.OTHER, Pattern.STRENGTH)]
    assert all(_distance(a, b) > 50 for a, b in combinations(unloaded, 2))


def test_the_season_chart_shows_every_week_beyond_the_weeks_asked_for(month_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "season.html"
    write_report(month_db, out, "--weeks", "2")
    with duckdb.connect(str(month_db), read_only=True) as con:
        first, last = con.execute(
            "SELECT min(week_start), max(week_start) FROM weekly_posterior_load WHERE athlete_id = 'ana'").fetchone()  # type: ignore[misc]
    with open_drawn(out) as visit:
        data = json.loads(visit.page.text_content("#hamflow-data") or "{}")
        ana = next(a for a in data["athletes"] if a["athlete_id"] == "ana")
        assert len(ana["weeks"]) == 2
        assert ana["season"][0]["week_start"] == first.isoformat() and ana["season"][-1]["week_start"] == last.isoformat()
        assert len(ana["season"]) == (last - first).days // 7 + 1
        assert marks(visit.page, "ana")["chart-ana-season"] > 0


def test_each_recent_workout_is_drawn_over_time_beside_its_verdict(month_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "workouts.html"
    write_report(month_db, out)
    with duckdb.connect(str(month_db), read_only=True) as con:
        recent = con.execute(
            "SELECT workout_id, workout_class, reasons FROM recent_workouts WHERE athlete_id = 'ana' LIMIT 10").fetchall()
        spans = dict(con.execute("SELECT workout_id, list(DISTINCT pattern) FROM segments GROUP BY ALL").fetchall())
    with open_drawn(out) as visit:
        page = visit.page
        drawn = marks(page, "ana")
        for i, (workout_id, workout_class, reasons) in enumerate(recent):
            card = page.inner_text(f"#workout-ana-{i}")
            assert workout_class.upper() in card and reasons[0] in card
            assert drawn[f"chart-ana-workout-{i}"] > 0
            legend = page.evaluate(
                "id => Array.from(document.querySelectorAll('#' + id + ' g.role-legend-label text')).map(t => t.textContent)",
                f"chart-ana-workout-{i}")
            assert set(legend) == set(spans[workout_id])
        assert visit.console_errors == [] and visit.requests == []


def test_the_report_of_the_sample_month_stays_under_two_megabytes(month_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "size.html"
    write_report(month_db, out)
    assert out.stat().st_size < 2_000_000


def test_explain_html_draws_a_long_ride_within_the_point_budget_offline(tmp_path: Path) -> None:
    """An 8.5-hour ride: wide buckets keep it to the same number of points as an hour."""
    ride, out = corpus_root() / "elevate" / "brevet-200k.fit", tmp_path / "ride.html"
    result = CliRunner().invoke(cli, ["explain", str(ride), "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert "page written to" in result.output
    with open_drawn(out) as visit:
        page = visit.page
        assert "Verdict" not in page.inner_text("body") and "QUAD" in page.inner_text("#workout-file-0")
        assert marks_of(page, "chart-file-workout-0") > 0
        data = json.loads(page.text_content("#hamflow-data") or "{}")
        assert visit.console_errors == [] and visit.requests == []
    spec = data["athletes"][0]["charts"]["workout-0"]
    points = max(len(rows) for rows in spec["datasets"].values())
    assert MAX_POINTS // 2 < points <= MAX_POINTS
    assert f"Averages over {MIN_BUCKET_S} s" not in json.dumps(spec)


def marks_of(page: object, chart_id: str) -> int:
    count: int = page.evaluate(  # type: ignore[attr-defined]
        "id => document.querySelectorAll('#' + id + ' g.role-mark path, #' + id + ' g.role-mark > g').length", chart_id)
    return count


def test_explain_html_to_a_folder_that_does_not_exist_is_a_one_line_error(tmp_path: Path) -> None:
    run = SAMPLES / "ana" / "2026-10-05-0710-easy_run.fit"
    result = CliRunner().invoke(cli, ["explain", str(run), "--html", str(tmp_path / "missing" / "x.html")])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith("Error: cannot write") and "Traceback" not in result.output
