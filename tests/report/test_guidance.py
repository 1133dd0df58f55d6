"""What next on the sample month: its numbers are the weekly table's, and the report and the run
summary show it."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from html import unescape
from pathlib import Path

import duckdb
import polars as pl
import pytest
from click.testing import CliRunner

from hamflow.cli import cli
from hamflow.model import DEFAULT_CONFIG
from hamflow.model.guidance import DISCLAIMER
from hamflow.report.guidance import guidance_markdown, load_guidance
from hamflow.store.frames import fetch_frame
from hamflow.store.read import UnknownAthlete


@pytest.fixture(scope="module")
def weekly(month_db: Path) -> pl.DataFrame:
    with duckdb.connect(str(month_db), read_only=True) as con:
        return fetch_frame(con, "SELECT * FROM weekly_posterior_load ORDER BY athlete_id, week_start")


def test_each_weeks_guidance_at_its_sunday_night_has_the_weekly_tables_numbers(month_db: Path, weekly: pl.DataFrame) -> None:
    with duckdb.connect(str(month_db), read_only=True) as con:
        for row in weekly.iter_rows(named=True):
            week: date = row["week_start"]
            sunday_night = datetime.combine(week + timedelta(days=6), datetime.max.time())  # naive: local
            [g] = load_guidance(con, DEFAULT_CONFIG, sunday_night, athlete=row["athlete_id"])
            assert g.week_start == week
            got = (g.sprint_sessions, g.leg_day_sessions, g.incline_walk_sessions, g.rowing_sessions)
            assert got == (row["sprint_sessions"], row["leg_day_sessions"], row["incline_walk_sessions"], row["rowing_sessions"])
            window = weekly.filter(
                (pl.col("athlete_id") == row["athlete_id"]) & pl.col("week_start").is_between(week - timedelta(days=21), week)
            )
            assert math.isclose(g.posterior_load_window, window["posterior_load"].sum(), rel_tol=1e-9)
            assert math.isclose(g.quad_load_window, window["quad_load"].sum(), rel_tol=1e-9)
            assert g.acwr_posterior == row["acwr_posterior"]
            assert g.spike == ("posterior_load_spike" in row["flags"])


def test_an_unknown_athlete_names_the_known_ones(month_db: Path) -> None:
    with duckdb.connect(str(month_db), read_only=True) as con, pytest.raises(UnknownAthlete, match="known athletes: ana, ben"):
        load_guidance(con, DEFAULT_CONFIG, athlete="zed")


def test_the_run_artifacts_markdown_has_what_next_with_the_disclaimer_once(month_db: Path) -> None:
    with duckdb.connect(str(month_db), read_only=True) as con:
        items = load_guidance(con, DEFAULT_CONFIG, datetime(2026, 10, 30, 8, 0))
    text = guidance_markdown(items)
    assert text.startswith("## What next") and text.count(DISCLAIMER) == 1
    assert "### ana" in text and "### ben" in text and "| sprint sessions | 1 of at most 2 this week |" in text


def test_the_report_has_a_what_next_panel_per_athlete(month_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", "--db", str(month_db), "--out", str(out), "--now", "2026-10-30T08:00"])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert unescape(html).count(DISCLAIMER) == 1
    assert 'id="next-ana"' in html and 'id="next-ben"' in html
    assert "Earliest next sprint or leg-day session: Saturday 19:00." in html
    assert '"next_data":{"athlete_id":"ana"' in html  # the panel's numbers are embedded with the rest
