"""What a FIT ``sport``/``sub_sport`` pair means for the model.

Every session is put in one *activity*: how its seconds are classified and where its intensity
comes from. Gym machines are recognised by their sub_sport first, whatever sport the device
filed them under (a watch saves an erg session as ``fitness_equipment/indoor_rowing``, the
Concept2 monitor as ``rowing/indoor_rowing``).
"""

from __future__ import annotations

from enum import StrEnum


class Activity(StrEnum):
    ON_FOOT = "on_foot"
    BIKE = "bike"
    ROW = "row"
    ELLIPTICAL = "elliptical"
    STAIR = "stair"
    STRENGTH = "strength"
    #: Swimming, paddling, skiing, yoga, transitions, unknown: no lower-limb load is credited.
    OTHER = "other"


_MACHINE_SUB_SPORTS: dict[str, Activity] = {
    "indoor_rowing": Activity.ROW,
    "elliptical": Activity.ELLIPTICAL,
    "stair_climbing": Activity.STAIR,
    "indoor_cycling": Activity.BIKE,
    "spin": Activity.BIKE,
    "strength_training": Activity.STRENGTH,
}

_SPORTS: dict[str, Activity] = {
    "running": Activity.ON_FOOT,
    "walking": Activity.ON_FOOT,
    "hiking": Activity.ON_FOOT,
    "mountaineering": Activity.ON_FOOT,
    "snowshoeing": Activity.ON_FOOT,
    "cycling": Activity.BIKE,
    "rowing": Activity.ROW,
    "floor_climbing": Activity.STAIR,
}

#: sub_sports that make a ``generic`` (or ``fitness_equipment``) session an on-foot one.
_ON_FOOT_SUB_SPORTS = frozenset(
    {"treadmill", "indoor_running", "indoor_walking", "track", "trail", "street", "casual_walking",
     "speed_walking", "virtual_activity_running"}
)

#: sub_sports recorded indoors: altitude there is a barometer in a room, not a hill.
_INDOOR_SUB_SPORTS = frozenset(
    {"treadmill", "indoor_running", "indoor_walking", "indoor_cycling", "indoor_rowing", "spin",
     "elliptical", "stair_climbing", "virtual_activity", "strength_training", "indoor_climbing"}
)


def activity_of(sport: str | None, sub_sport: str | None) -> Activity:
    """The activity of a session; anything unrecognised is :attr:`Activity.OTHER`."""
    sport = (sport or "generic").lower()
    sub = (sub_sport or "").lower()
    if sub in _MACHINE_SUB_SPORTS:
        return _MACHINE_SUB_SPORTS[sub]
    if sport in _SPORTS:
        return _SPORTS[sport]
    if sport in ("generic", "fitness_equipment") and sub in _ON_FOOT_SUB_SPORTS:
        return Activity.ON_FOOT
    return Activity.OTHER


def is_indoor(sport: str | None, sub_sport: str | None) -> bool:
    """Recorded indoors (by its profile); a session without altitude counts as indoors too."""
    return (sub_sport or "").lower() in _INDOOR_SUB_SPORTS or (sport or "").lower() == "fitness_equipment"


def is_reverse_elliptical(sub_sport: str | None) -> bool:
    """No FIT sub_sport says 'reverse' today; a device-specific one containing it would."""
    return "reverse" in (sub_sport or "").lower()
