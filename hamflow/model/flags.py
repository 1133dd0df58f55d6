"""The weekly flags in words. One vocabulary for the report, the CLI and the docs."""

from __future__ import annotations

from typing import Any, Final

#: flag -> (short title, what it means and what to do), for a coach.
FLAG_TEXT: Final[dict[str, tuple[str, str]]] = {
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


def flag_title(flag: str) -> str:
    return FLAG_TEXT.get(flag, (flag, ""))[0]


def flag_reason(flag: str) -> str:
    return FLAG_TEXT.get(flag, ("", flag))[1]


def week_sentences(week: dict[str, Any], sprint_gap_h: float = 48.0) -> list[str]:
    """A short "what this means" for one weekly row, derived only from its numbers."""
    out: list[str] = []
    share = week.get("posterior_share")
    if not week.get("workouts"):
        return ["No workouts this week."]
    if share is not None:
        out.append(
            f"{share * 100:.0f} % of this week's load reached the posterior chain "
            f"({week.get('posterior_load', 0):.0f} posterior vs {week.get('quad_load', 0):.0f} quad points, "
            f"{week.get('moving_min', 0):.0f} moving minutes)."
        )
    sprints = week.get("sprint_sessions") or 0
    if sprints > 2:
        out.append(f"{sprints} sprint sessions this week: the guide is at most 2, {sprint_gap_h:.0f} h apart.")
    gap = week.get("min_hours_between_hard_sessions")
    if gap is not None and gap < sprint_gap_h:
        out.append(f"The closest two hard sessions were {gap:.0f} h apart; allow at least {sprint_gap_h:.0f} h.")
    acwr = week.get("acwr_posterior")
    if acwr is not None and "posterior_load_spike" in (week.get("flags") or []):
        out.append(f"Posterior load is {acwr:.1f}x its 28-day level: a spike, so build up gradually.")
    for flag in week.get("flags") or []:
        if flag in ("quad_dominant_block", "no_max_speed_exposure"):
            out.append(flag_reason(flag))
    if len(out) == 1:
        out.append("No warning flags this week.")
    return out
