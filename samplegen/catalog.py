"""The fixed cast: workout kinds, devices and the two sample athletes.

A *kind* bundles how a workout is recorded (sport, sub_sport, device,
developer fields) with what the analysis should conclude about it
(``expected_class``, ``sprint_session``).  Keeping that ground truth next
to the recording details means the manifest can never disagree with the
files.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Athlete, Device, Sensor

FLOAT32 = 0x88
UINT16 = 0x84


@dataclass(frozen=True)
class DevField:
    """A Connect IQ developer field that replaces a native record field.

    ``source`` names the trace channel whose values move into the developer
    field; the native field of that name is then left out, which is exactly
    what third-party apps do when the watch has no native slot for the value.
    """

    field_name: str
    units: str
    base_type: int
    source: str


@dataclass(frozen=True)
class KindInfo:
    """Recording details and analysis ground truth of one workout kind.

    ``family`` selects the signal model (see ``signals``); ``lap_mode`` is
    ``"steps"`` for structured workouts (one lap per workout step) or
    ``"auto_km"`` for free runs split by the watch every kilometre, or
    ``"single"`` when the whole session is one lap (strength: the set
    messages carry the structure).
    """

    name: str
    sport: str
    sub_sport: str
    family: str
    device: str
    expected_class: str | None
    sprint_session: bool = False
    lap_mode: str = "steps"
    dev_field: DevField | None = None
    sensors: tuple[Sensor, ...] = ()


KICKR = Sensor(device_type=11, manufacturer="wahoo_fitness", product=14, serial_number=21_804_117)

KINDS: dict[str, KindInfo] = {
    k.name: k
    for k in (
        KindInfo("easy_run", "running", "generic", "run", "watch", "quad", lap_mode="auto_km"),
        KindInfo("tempo_run", "running", "generic", "run", "watch", None),
        KindInfo("track_sprints", "running", "track", "run", "watch", "posterior", sprint_session=True),
        KindInfo("hill_sprints", "running", "generic", "run", "watch", "posterior", sprint_session=True),
        KindInfo("incline_walk", "walking", "indoor_walking", "treadmill", "watch", "posterior"),
        KindInfo(
            "incline_walk_ciq",
            "walking",
            "indoor_walking",
            "treadmill",
            "watch",
            "posterior",
            dev_field=DevField("Incline", "%", FLOAT32, source="grade"),
        ),
        KindInfo("row", "rowing", "indoor_rowing", "row", "concept2", "posterior"),
        KindInfo(
            "row_ciq",
            "fitness_equipment",
            "indoor_rowing",
            "row",
            "watch",
            "posterior",
            dev_field=DevField("Power", "watts", UINT16, source="power"),
        ),
        KindInfo("stair", "fitness_equipment", "stair_climbing", "stair", "watch", "mixed"),
        KindInfo("elliptical", "fitness_equipment", "elliptical", "elliptical", "watch", "quad"),
        KindInfo("bike", "cycling", "indoor_cycling", "bike", "watch", "quad", sensors=(KICKR,)),
        KindInfo("strength", "training", "strength_training", "strength", "watch", None, lap_mode="single"),
    )
}

CONCEPT2_PM5 = Device(
    manufacturer="concept2",
    product=5,
    product_name="PM5",
    serial_number=430_118_562,
    software_version=32.14,
    enhanced_fields=False,
)

HRM_PRO = 3300

ANA = Athlete(
    name="ana",
    tz="Europe/Berlin",
    vmax=8.0,
    threshold_speed=4.3,
    hr_rest=49,
    hr_max=188,
    row_ftp=215.0,
    bike_ftp=225.0,
    origin_lat=52.47310,
    origin_lon=13.40170,
    base_altitude=44.0,
    watch=Device("garmin", 4315, "Forerunner 965", 3_391_204_857, 21.19, enhanced_fields=True),
    sensors=(Sensor(device_type=120, manufacturer="garmin", product=HRM_PRO, serial_number=3_318_440_901),),
)

BEN = Athlete(
    name="ben",
    tz="America/New_York",
    vmax=8.0,
    threshold_speed=4.1,
    hr_rest=54,
    hr_max=184,
    row_ftp=235.0,
    bike_ftp=245.0,
    origin_lat=40.78120,
    origin_lon=-73.96650,
    base_altitude=36.0,
    watch=Device("garmin", 3906, "fenix 7", 3_350_771_264, 20.28, enhanced_fields=True),
)

ATHLETES: dict[str, Athlete] = {a.name: a for a in (ANA, BEN)}


def kind_info(kind: str) -> KindInfo:
    """Look up a kind, failing loudly on typos in plans."""
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown workout kind {kind!r}; known: {sorted(KINDS)}") from None


def device_for(athlete: Athlete, info: KindInfo) -> Device:
    """Gym consoles record their own files; everything else is on the watch."""
    return CONCEPT2_PM5 if info.device == "concept2" else athlete.watch
