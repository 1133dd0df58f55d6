"""What the report says where a chart has nothing (or little) to draw, and how old the data is.

A chart with no marks reads as a broken page; a single dot reads as a trend. Each note says
why, in the coach's terms, so an empty chart is an answer rather than a question.
"""

from __future__ import annotations

from datetime import date
from typing import Any


def spacing_empty(weeks: list[dict[str, Any]]) -> str | None:
    """Why the shortest-gap chart is empty (None when it has a gap to show)."""
    if any(w.get("min_hours_between_hard_sessions") is not None for w in weeks):
        return None
    # A sprint session counts as a leg day too, so a week's hard sessions are the larger count.
    hard = sum(max(int(w.get("sprint_sessions") or 0), int(w.get("leg_day_sessions") or 0)) for w in weeks)
    counted = "no hard session" if hard == 0 else ("one hard session" if hard == 1 else f"{hard} hard sessions, none two in one week")
    return (f"No gap to show: a gap needs two hard sessions (sprint or leg day) in one week, and the weeks shown have "
            f"{counted}.")


def acwr_note(weeks: list[dict[str, Any]], chronic_days: int) -> tuple[str | None, str | None]:
    """(why the spike chart is empty, a note on weeks without a ratio): the ratio needs
    ``chronic_days`` of history, so an athlete's first weeks have none."""
    with_ratio = [w["week_start"] for w in weeks if w.get("acwr_posterior") is not None]
    need = f"the acute:chronic ratio needs {chronic_days} days of history (and some posterior load)"
    if not with_ratio:
        return f"No ratio yet: {need}, which none of the weeks shown has.", None
    if len(with_ratio) == len(weeks):
        return None, None
    first = date.fromisoformat(str(with_ratio[0]))
    shown = "one week has a ratio" if len(with_ratio) == 1 else f"{len(with_ratio)} of {len(weeks)} weeks have a ratio"
    return None, f"Only {shown}: {need}, so the weeks before {first:%d %b %Y} have none."


def latest_data_note(latest: date, today: date) -> str:
    """How long ago the newest workout was, in days up to two weeks and in weeks after. A newest
    workout after today comes from a device whose clock ran ahead, and is said to be so."""
    days = (today - latest).days
    if days < 0:
        ahead = "tomorrow" if days == -1 else f"in {-days} days" if days > -14 else f"in {-days // 7} weeks"
        ago = f"{ahead}, a clock ahead?"
    elif days == 0:
        ago = "today"
    elif days == 1:
        ago = "yesterday"
    elif days < 14:
        ago = f"{days} days ago"
    else:
        ago = f"{days // 7} weeks ago"
    return f"latest data: {ago} ({latest:%d %b %Y})"
