"""``hamflow next`` on the sample month, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from click.testing import CliRunner

from hamflow.cli import cli
from hamflow.model.guidance import DISCLAIMER

#: A Friday morning in the sample month's last week (naive: each athlete's local time).
NOW = "2026-10-30T08:00"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_next_prints_the_guidance_for_each_athlete_with_the_disclaimer_once(month_db: Path) -> None:
    code, text = run("next", "--db", str(month_db), "--now", NOW)
    assert code == 0, text
    assert text.count(DISCLAIMER) == 1 and text.count("medical advice") == 1
    assert "\nana\n" in text and "\nben\n" in text
    assert "sprint sessions       1 of at most 2 this week" in text
    assert "next hard session     from Saturday 2026-10-31 19:00 (at least 48 h after the last)" in text
    assert "- Earliest next sprint or leg-day session: Saturday 19:00." in text
    assert "- Add an incline walk or a row to lift the posterior share (41 % over 4 weeks, target 45-60 %)." in text


def test_next_as_json_parses_and_says_the_same_numbers(month_db: Path) -> None:
    code, text = run("next", "--db", str(month_db), "--now", NOW, "--format", "json", "--athlete", "ana")
    assert code == 0, text
    data = json.loads(text)
    assert data["disclaimer"] == DISCLAIMER
    [ana] = data["athletes"]
    assert ana["athlete_id"] == "ana" and ana["week_start"] == "2026-10-26"
    assert (ana["sprint_sessions"], ana["max_sprint_sessions"], ana["leg_day_sessions"]) == (1, 2, 2)
    assert ana["next_hard_session_local"] == "2026-10-31T19:00:00" and not ana["hard_session_ready"]
    assert (ana["incline_walk_sessions"], ana["rowing_sessions"], ana["posterior_sessions_target"]) == (0, 1, [3, 4])
    assert round(ana["posterior_share"], 2) == 0.41 and ana["share_status"] == "below"
    with duckdb.connect(str(month_db), read_only=True) as con:
        stored = con.execute(
            "SELECT acwr_posterior FROM weekly_posterior_load WHERE athlete_id = 'ana' AND week_start = DATE '2026-10-26'"
        ).fetchone()
    assert stored is not None and ana["acwr_posterior"] == round(stored[0], 4) and ana["spike"] is False
    _, table = run("next", "--db", str(month_db), "--now", NOW, "--athlete", "ana")
    for suggestion in ana["suggestions"]:
        assert f"- {suggestion}" in table


def test_an_unknown_athlete_is_a_clear_error_listing_the_known_ones(month_db: Path) -> None:
    code, text = run("next", "--db", str(month_db), "--athlete", "zed")
    assert code != 0 and "no athlete 'zed' in this database; known athletes: ana, ben" in text
    assert "Traceback" not in text


def test_a_now_that_is_not_iso_is_a_usage_error(month_db: Path) -> None:
    code, text = run("next", "--db", str(month_db), "--now", "next friday")
    assert code == 2 and "not an ISO 8601 time" in text


def test_now_with_an_offset_is_that_instant(month_db: Path) -> None:
    code, text = run("next", "--db", str(month_db), "--now", "2026-10-30T07:00+00:00", "--athlete", "ana", "--format", "json")
    assert code == 0 and json.loads(text)["athletes"][0]["now_local"] == "2026-10-30T08:00:00"  # ana: UTC+01:00
