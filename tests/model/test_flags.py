"""Each weekly flag is declared once, and its words carry the numbers of the config in use."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import polars as pl
import pytest

from hamflow.model import DEFAULT_CONFIG, HamflowConfig, parse_config
from hamflow.model.flags import (
    HARD_SESSION_GAP,
    POSTERIOR_LOAD_SPIKE,
    QUAD_DOMINANT_BLOCK,
    SPRINT_SESSIONS,
    WEEKLY_FLAGS,
    WeeklyFlag,
    flag_reason,
    flag_title,
    flags_expr,
    week_sentences,
)
from hamflow.model.patterns import Side
from hamflow.model.weekly import FLAGS

STRICT = parse_config("[weekly]\nstrict_spacing = true\n")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "model.md"


def test_every_weekly_flag_is_declared_once_in_the_order_a_week_lists_them() -> None:
    names = [f.name for f in WEEKLY_FLAGS]
    assert len(set(names)) == len(names) and list(FLAGS) == names
    every = pl.DataFrame({
        "sprint_sessions": [9], "since_previous_hard_h": [1.0], "acwr_posterior": [9.0],
        "block_share": [0.0], "fast_m_window": [100.0], "maxv_s_window": [0.0],
    })
    assert every.select(flags_expr(DEFAULT_CONFIG))["flags"].to_list() == [names]
    nothing = pl.DataFrame({c: [None] for c in every.columns}, schema=dict.fromkeys(every.columns, pl.Float64))
    assert nothing.select(flags_expr(DEFAULT_CONFIG))["flags"].to_list() == [[]]  # unknown is not raised


def test_the_default_words_are_the_documented_ones() -> None:
    assert {f.name: (f.title(DEFAULT_CONFIG), f.text(DEFAULT_CONFIG)) for f in WEEKLY_FLAGS} == {
        "sprint_sessions_over_2": (
            "More than 2 sprint sessions",
            "The guide is at most 2 sprint sessions a week, at least 48 h apart.",
        ),
        "sprint_gap_under_48h": (
            "Hard sessions too close",
            "Two sprint or leg-day sessions were less than 48 h apart; eccentric hamstring strength is "
            "lowest about 40-48 h after hard work.",
        ),
        "posterior_load_spike": (
            "Posterior-load spike",
            "The last 7 days' posterior load is well above the 28-day level (acute:chronic ratio over "
            "1.5). A spike indicator, not an injury prediction: build up more gradually.",
        ),
        "quad_dominant_block": (
            "Quad-dominant month",
            "Over the last 28 days less than 40 % of the load reached the posterior chain. Add incline "
            "walks, rowing or hill sprints.",
        ),
        "no_max_speed_exposure": (
            "No near-maximal speed",
            "High-speed running in the last 14 days but no second at 95 % or more of maximal speed; "
            "occasional near-maximal sprinting is associated with fewer hamstring injuries.",
        ),
    }


def test_strict_spacing_words_say_72_hours() -> None:
    assert flag_reason("sprint_gap_under_48h", STRICT).startswith("Two sprint or leg-day sessions were less than 72 h apart")
    assert flag_reason("sprint_sessions_over_2", STRICT).endswith("at least 72 h apart.")
    assert HARD_SESSION_GAP.limit(STRICT) == 72.0
    week = {"workouts": 2, "posterior_share": 0.5, "posterior_load": 40.0, "quad_load": 40.0, "moving_min": 90.0,
            "sprint_sessions": 2, "min_hours_between_hard_sessions": 60.0, "flags": ["sprint_gap_under_48h"]}
    said = week_sentences(week, STRICT)
    assert "The closest two hard sessions were 60 h apart; allow at least 72 h." in said
    assert not any("48 h" in s for s in said)
    assert not any("hard sessions were" in s for s in week_sentences(week, DEFAULT_CONFIG))  # 60 h is fine at 48


def test_every_number_in_the_words_comes_from_the_config() -> None:
    config = parse_config(
        "[weekly]\nmax_sprint_sessions = 1\nhard_session_gap_h = 36.5\nspike_ratio = 1.8\nacute_days = 5\n"
        "chronic_days = 21\nquad_block_days = 21\nquad_block_max_share = 0.35\nmaxv_window_days = 10\n"
        "[model.thresholds]\nmaxv_vmax_fraction = 0.92\n"
    )
    text = {f.name: f"{f.title(config)} | {f.text(config)}" for f in WEEKLY_FLAGS}
    assert "More than 1 sprint session |" in text["sprint_sessions_over_2"]
    assert "at most 1 sprint session a week, at least 36.5 h apart" in text["sprint_sessions_over_2"]
    assert "less than 36.5 h apart" in text["sprint_gap_under_48h"]
    assert "last 5 days'" in text["posterior_load_spike"] and "21-day level" in text["posterior_load_spike"]
    assert "ratio over 1.8" in text["posterior_load_spike"]
    assert text["quad_dominant_block"].startswith("Quad-dominant 21 days |")
    assert "last 21 days less than 35 %" in text["quad_dominant_block"]
    assert "last 10 days but no second at 92 %" in text["no_max_speed_exposure"]
    week = {"workouts": 3, "posterior_share": 0.3, "sprint_sessions": 2, "acwr_posterior": 2.0,
            "flags": ["sprint_sessions_over_2", "posterior_load_spike"]}
    assert week_sentences(week, config)[1:] == [
        "2 sprint sessions this week: the guide is at most 1, 36.5 h apart.",
        "Posterior load is 2.0x its 21-day level: a spike, so build up gradually.",
    ]


@pytest.mark.parametrize(
    ("flag", "column", "below", "at", "above"),
    [
        (SPRINT_SESSIONS, "sprint_sessions", False, False, True),
        (HARD_SESSION_GAP, "since_previous_hard_h", True, False, False),
        (POSTERIOR_LOAD_SPIKE, "acwr_posterior", False, False, True),
        (QUAD_DOMINANT_BLOCK, "block_share", True, False, False),
    ],
    ids=lambda v: getattr(v, "name", None),
)
@pytest.mark.parametrize("config", [DEFAULT_CONFIG, STRICT], ids=["default", "strict"])
def test_a_flag_is_raised_across_its_own_limit(
    flag: WeeklyFlag, column: str, below: bool, at: bool, above: bool, config: HamflowConfig
) -> None:
    limit = flag.limit(config)
    step = 1 if isinstance(limit, int) else 0.01
    frame = pl.DataFrame({column: [limit - step, limit, limit + step]})
    assert frame.select(flag.raised(config))[column].to_list() == [below, at, above]


def test_unknown_stored_flags_still_show() -> None:
    assert flag_title("from_a_newer_model", DEFAULT_CONFIG) == "from_a_newer_model"
    assert flag_reason("from_a_newer_model", DEFAULT_CONFIG) == "from_a_newer_model"


def test_flags_about_the_quads_say_so() -> None:
    assert {f.name: f.side for f in WEEKLY_FLAGS if f.side is not Side.POSTERIOR} == {"quad_dominant_block": Side.QUAD}


def test_the_docs_and_the_readme_list_every_flag() -> None:
    readme = DOCS.parents[1] / "README.md"
    for path in (DOCS, readme):
        listed = set(re.findall(r"^\| `([a-z_0-9]+)` \|", path.read_text(), re.M))
        assert {f.name for f in WEEKLY_FLAGS} <= listed, path.name


def test_a_config_in_use_changes_only_words_not_names() -> None:
    changed = dataclasses.replace(DEFAULT_CONFIG, weekly=dataclasses.replace(DEFAULT_CONFIG.weekly, max_sprint_sessions=4))
    assert [f.name for f in WEEKLY_FLAGS] == list(FLAGS)
    assert flag_title("sprint_sessions_over_2", changed) == "More than 4 sprint sessions"
