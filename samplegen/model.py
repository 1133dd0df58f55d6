"""Typed values that cross module boundaries inside the generator.

Keeping athletes, devices, workout requests and generated traces as frozen
dataclasses makes plans easy to build in tests and benchmarks, and keeps
the encoder independent of how the signals were made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from garmin_fit_sdk.util import FIT_EPOCH_S


@dataclass(frozen=True)
class Device:
    """The recording device written to ``file_id`` and ``device_info``.

    ``enhanced_fields`` mirrors current Garmin watches, which store speed and
    altitude only in the 32-bit ``enhanced_speed``/``enhanced_altitude``
    record fields; older consoles such as the Concept2 monitor use the 16-bit
    ``speed``/``altitude`` fields.  Decoders have to cope with both.
    """

    manufacturer: str
    product: int
    product_name: str
    serial_number: int
    software_version: float
    enhanced_fields: bool


@dataclass(frozen=True)
class Sensor:
    """A paired sensor listed as an extra ``device_info`` (e.g. a smart trainer)."""

    device_type: int
    manufacturer: str
    product: int
    serial_number: int
    source_type: str = "antplus"


@dataclass(frozen=True)
class Athlete:
    """Physiology and whereabouts that shape every workout of one person.

    ``vmax`` is the top sprint speed the analysis compares against;
    ``threshold_speed`` anchors how hard a given running speed feels, and the
    FTP values do the same on the rower and the bike.  The origin places
    outdoor routes on the map (in degrees); routes are laid out in metres
    relative to it.
    """

    name: str
    tz: str
    vmax: float
    threshold_speed: float
    hr_rest: int
    hr_max: int
    row_ftp: float
    bike_ftp: float
    origin_lat: float
    origin_lon: float
    base_altitude: float
    watch: Device
    sensors: tuple[Sensor, ...] = ()


@dataclass(frozen=True)
class WorkoutSpec:
    """Everything needed to generate one workout file, and nothing else.

    ``seed`` alone drives all randomness of the workout, so a spec can be
    regenerated in isolation (tests re-create single files this way).
    ``profile`` optionally overrides the activity profile (sport, sub_sport)
    the kind would normally be recorded under - the same session can be
    saved as "indoor walk" by one person and "treadmill run" by another.
    """

    athlete: Athlete
    kind: str
    start_utc: datetime
    duration_s: int
    seed: int
    profile: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        if self.start_utc.utcoffset() != timedelta(0):
            raise ValueError("start_utc must be timezone-aware UTC")
        if self.start_utc.microsecond or self.duration_s <= 0:
            raise ValueError("start_utc must be whole seconds and duration positive")

    @property
    def end_utc(self) -> datetime:
        return self.start_utc + timedelta(seconds=self.duration_s)

    @property
    def fit_start(self) -> int:
        """Start as a FIT timestamp (seconds since 1989-12-31 00:00 UTC)."""
        return int(self.start_utc.timestamp()) - FIT_EPOCH_S

    def utc_offset_s(self, at: datetime) -> int:
        """Offset of the athlete's zone at ``at``; DST changes make it date-dependent."""
        offset = at.astimezone(ZoneInfo(self.athlete.tz)).utcoffset()
        assert offset is not None
        return int(offset.total_seconds())

    @property
    def local_start(self) -> datetime:
        return self.start_utc.astimezone(ZoneInfo(self.athlete.tz))


@dataclass(frozen=True)
class LapSpan:
    """A lap over records ``[start, end)`` with its FIT intensity and trigger."""

    start: int
    end: int
    intensity: str
    trigger: str


@dataclass(frozen=True)
class StrengthSet:
    """One FIT ``set`` message: an active set or the rest after it.

    ``category``/``subtype`` are the SDK's exercise_category value and the
    numeric exercise name within that category.
    """

    start: int
    seconds: int
    active: bool
    category: str | None = None
    subtype: int | None = None
    reps: int | None = None
    weight_kg: float | None = None


@dataclass
class Trace:
    """The per-second signals of one workout, in physical units.

    ``channels`` maps generic channel names (``speed``, ``altitude``,
    ``distance``, ``heart_rate``, ``cadence``, ``power``, ``grade``,
    ``position_lat``, ``position_long``) to one value per second; the
    encoder decides which FIT field each becomes (native, enhanced or a
    Connect IQ style developer field, depending on device and kind).  ``effort``
    (fraction of heart-rate reserve the work demands) is kept for summaries
    such as calories but is not written to records.
    """

    n: int
    channels: dict[str, list[float]]
    laps: list[LapSpan]
    effort: list[float]
    sets: list[StrengthSet] = field(default_factory=list)

    def __post_init__(self) -> None:
        lengths = {len(v) for v in self.channels.values()} | {len(self.effort)}
        if lengths != {self.n}:
            raise ValueError("every channel must have one value per second")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Shorthand for an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local_to_utc(tz: str, year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """Convert an athlete's wall-clock start to UTC (handles DST of that date)."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz)).astimezone(UTC)
