"""What next, from hand-made workouts: each rule at its boundary, in the athlete's local time,
and the same boundaries as the weekly flags."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from hamflow.model import DEFAULT_CONFIG, HamflowConfig, weekly_table
from hamflow.model.flags import HARD_SESSION_GAP, SPRINT_SESSIONS
from hamflow.model.guidance import DISCLAIMER, Guidance, guidance
from hamflow.model.weekly import local_start, local_week_start

#: Monday 2026-03-02 07:00 local, at UTC+01:00.
OFFSET = 60
MONDAY_LOCAL = datetime(2026, 3, 2, 7, 0)
MONDAY = (MONDAY_LOCAL - timedelta(minutes=OFFSET)).replace(tzinfo=UTC)


def workout(
    hours: float, *, sprint: bool = False, leg_day: bool = False, incline: bool = False, rowing: bool = False,
    pl_: float = 30.0, ql: float = 50.0,
) -> dict[str, object]:
    """A workout ``hours`` after Monday 07:00 local, with every column the weekly table and the guidance read."""
    start = MONDAY + timedelta(hours=hours)
    return {
        "athlete_id": "a", "start_utc": start, "utc_offset_min": OFFSET,
        "start_local": local_start(start, OFFSET, None), "week_start": local_week_start(start, OFFSET, None),
        "sport": "running", "sub_sport": "track" if sprint else "generic",
        "moving_s": 3600.0, "posterior_load": pl_, "quad_load": ql, "posterior_s": 600.0, "quad_s": 1800.0,
        "is_sprint_session": sprint, "is_leg_day": leg_day or sprint, "is_incline_walk": incline, "is_rowing": rowing,
        "hsr_distance_m": 0.0, "sprint_distance_m": 0.0, "maxv_s": 0.0,
    }


def advise(rows: list[dict[str, object]], now_hours: float, config: HamflowConfig = DEFAULT_CONFIG) -> Guidance:
    """The guidance ``now_hours`` after Monday 07:00 local, with the weekly rows the store would hold."""
    frame = pl.DataFrame(rows)
    return guidance("a", weekly_table(frame, config), frame, config, MONDAY + timedelta(hours=now_hours))


def flags(rows: list[dict[str, object]], config: HamflowConfig = DEFAULT_CONFIG) -> list[str]:
    return [f for week in weekly_table(pl.DataFrame(rows), config).get_column("flags").to_list() for f in week]


STRICT = dataclasses.replace(DEFAULT_CONFIG, weekly=dataclasses.replace(DEFAULT_CONFIG.weekly, strict_spacing=True))


@pytest.mark.parametrize(("config", "gap"), [(DEFAULT_CONFIG, 48.0), (STRICT, 72.0)], ids=["48h", "strict-72h"])
def test_a_hard_session_just_short_of_the_spacing_waits_and_one_at_it_may_go(config: HamflowConfig, gap: float) -> None:
    assert HARD_SESSION_GAP.limit(config) == gap
    sprint = [workout(0, sprint=True)]
    early = advise(sprint, gap - 0.1, config)
    assert not early.hard_ready and early.min_gap_hours == gap
    assert early.next_hard_local == MONDAY_LOCAL + timedelta(hours=gap)
    assert early.suggestions[0].startswith("Earliest next sprint or leg-day session:")
    on_time = advise(sprint, gap, config)
    assert on_time.hard_ready and on_time.next_hard_local == on_time.now_local
    assert on_time.suggestions[0].startswith("A sprint or leg-day session fits from now")
    # the weekly flag draws the line in the same place: a session at 47.9 h raises it, at 48 h not
    assert HARD_SESSION_GAP.name in flags([*sprint, workout(gap - 0.1, sprint=True)], config)
    assert HARD_SESSION_GAP.name not in flags([*sprint, workout(gap, sprint=True)], config)


def test_the_earliest_time_is_the_athletes_local_wall_clock() -> None:
    g = advise([workout(0, sprint=True)], 1)
    assert g.now_local == MONDAY_LOCAL + timedelta(hours=1)
    assert g.last_hard_local == MONDAY_LOCAL and g.last_hard_sport == "track"
    assert g.next_hard_local == datetime(2026, 3, 4, 7, 0)
    assert "Wednesday 07:00" in g.suggestions[0]
    naive = guidance("a", pl.DataFrame(), pl.DataFrame([workout(0, sprint=True)]), DEFAULT_CONFIG, MONDAY_LOCAL + timedelta(hours=1))
    assert naive.now_utc == g.now_utc  # a naive now is the athlete's local time


def test_a_configured_time_zone_wins_over_the_files_offset() -> None:
    config = dataclasses.replace(DEFAULT_CONFIG, athletes={"a": dataclasses.replace(DEFAULT_CONFIG.default_profile, timezone="America/New_York")})
    g = advise([workout(0, sprint=True)], 1, config)
    assert g.now_local == datetime(2026, 3, 2, 2, 0)  # 07:00 UTC in New York (EST)
    assert g.next_hard_local == datetime(2026, 3, 4, 1, 0)
    assert g.last_hard_local == MONDAY_LOCAL  # a past workout keeps the local time it was recorded in


def test_two_sprint_sessions_use_up_the_week_and_a_third_is_over_the_maximum() -> None:
    assert SPRINT_SESSIONS.limit(DEFAULT_CONFIG) == 2
    one = advise([workout(0, sprint=True)], 50)
    assert (one.sprint_sessions, one.max_sprint_sessions) == (1, 2)
    assert one.next_sprint_local == one.next_hard_local == one.now_local
    two = [workout(0, sprint=True), workout(48, sprint=True)]
    g = advise(two, 100)
    assert g.sprint_sessions == 2 and g.leg_day_sessions == 2
    assert g.next_hard_local == MONDAY_LOCAL + timedelta(hours=100)  # a hard row or leg day may go now ...
    assert g.next_sprint_local == datetime(2026, 3, 9, 0, 0)  # ... the next sprint waits for Monday
    assert g.suggestions[0] == "No more sprint sessions this week (2 done, at most 2); earliest next sprint session: Monday 00:00."
    three = [*two, workout(96, sprint=True)]
    over = advise(three, 100)
    assert over.sprint_sessions == 3 and over.suggestions[0].startswith("No more sprint sessions this week (3 done")
    assert SPRINT_SESSIONS.name not in flags(two) and SPRINT_SESSIONS.name in flags(three)


def test_the_spacing_can_push_the_next_sprint_past_monday() -> None:
    g = advise([workout(0, sprint=True), workout(24 * 6 + 10, sprint=True)], 24 * 6 + 12)  # Sunday 17:00
    assert g.next_sprint_local == MONDAY_LOCAL + timedelta(hours=24 * 6 + 10 + 48)


def test_a_maximum_from_the_config_is_the_one_used() -> None:
    config = dataclasses.replace(DEFAULT_CONFIG, weekly=dataclasses.replace(DEFAULT_CONFIG.weekly, max_sprint_sessions=3))
    g = advise([workout(0, sprint=True), workout(48, sprint=True)], 100, config)
    assert g.max_sprint_sessions == 3 and g.next_sprint_local == g.now_local


def test_incline_walks_and_rows_count_together_against_three_to_four() -> None:
    rows = [workout(0, incline=True, pl_=60, ql=40), workout(24, rowing=True, pl_=60, ql=40)]
    g = advise(rows, 30)
    assert (g.incline_walk_sessions, g.rowing_sessions, g.posterior_sessions) == (1, 1, 2)
    assert g.posterior_sessions_target == (3, 4) and g.share_status == "within"
    assert g.suggestions[1] == "Add one more incline walk or row this week to reach the guide's 3-4."
    enough = advise([*rows, workout(48, incline=True, pl_=60, ql=40)], 50)
    assert len(enough.suggestions) == 1


def test_a_share_below_the_band_asks_for_an_incline_walk_or_a_row() -> None:
    g = advise([workout(0, pl_=30, ql=70), workout(24, pl_=10, ql=90)], 30)
    assert g.posterior_share == pytest.approx(0.2) and g.share_status == "below"
    assert g.target_share == (0.45, 0.60)
    assert g.suggestions[1] == "Add an incline walk or a row to lift the posterior share (20 % over 4 weeks, target 45-60 %)."


def test_the_share_covers_this_week_and_the_three_before() -> None:
    rows = [workout(-24 * 7 * k, pl_=10.0 * (k + 1), ql=10.0) for k in range(5)]
    g = advise(rows, 1)
    assert g.share_from == date(2026, 2, 9)
    assert (g.posterior_load_window, g.quad_load_window) == (100.0, 40.0)


def test_a_spike_comes_first_and_stops_asking_for_more() -> None:
    frame = pl.DataFrame([workout(0, pl_=10, ql=90)])
    weeks = weekly_table(frame, DEFAULT_CONFIG).with_columns(pl.lit(1.6).alias("acwr_posterior"))
    g = guidance("a", weeks, frame, DEFAULT_CONFIG, MONDAY + timedelta(hours=1))
    assert g.spike and g.spike_ratio == 1.5
    assert g.suggestions[0].startswith("Posterior load is spiking (1.6x its 28-day level, above 1.5)")
    assert len(g.suggestions) == 2 and "incline" not in " ".join(g.suggestions)
    at_limit = guidance("a", weeks.with_columns(pl.lit(1.5).alias("acwr_posterior")), frame, DEFAULT_CONFIG, MONDAY + timedelta(hours=1))
    assert not at_limit.spike  # the flag is raised above 1.5, not at it


def test_workouts_after_now_are_not_counted() -> None:
    g = advise([workout(0, sprint=True), workout(48, sprint=True)], 24)
    assert g.sprint_sessions == 1 and g.latest_workout_local == MONDAY_LOCAL


def test_no_workouts_at_all_gives_empty_counts_and_no_share() -> None:
    empty = pl.DataFrame([workout(0)]).clear()
    g = guidance("a", pl.DataFrame(), empty, DEFAULT_CONFIG, MONDAY)
    assert g.latest_workout_local is None and g.last_hard_local is None and g.posterior_share is None
    assert g.hard_ready and g.share_status == "unknown"
    assert dict(g.rows())["last hard session"] == "none on record"


def test_rows_and_json_say_the_same_numbers() -> None:
    g = advise([workout(0, sprint=True), workout(30, rowing=True)], 40)
    rows, data = dict(g.rows()), g.to_dict()
    assert rows["sprint sessions"] == f"{data['sprint_sessions']} of at most {data['max_sprint_sessions']} this week"
    assert data["next_hard_session_local"] == "2026-03-04T07:00:00" and "Wednesday 2026-03-04 07:00" in rows["next hard session"]
    assert "medical advice" in DISCLAIMER
