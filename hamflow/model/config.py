"""Every number of the model, with its default, in frozen dataclasses.

The defaults are the numbers of docs/model.md; ``hamflow.example.toml`` lists every key. Keeping
them here, and nowhere else, means a user can change any of them and the change reaches every
step, and :attr:`HamflowConfig.model_version` tells stored results made with other numbers
apart from current ones.

Two kinds of number live here:

- *model numbers* (``[model.*]`` and ``[weekly]``): how seconds are classified and weighed and
  what the weekly flags look for. They are hashed into ``model_version``.
- *guidance numbers* (``[guidance]``): what ``hamflow next`` and the report aim for (sessions a
  week, the posterior-share band). They change no stored row, so they are not hashed either.
- *athlete numbers* (``[athletes.*]``): one person's vmax, thresholds, heart-rate range. They
  are inputs about the athlete, like the FIT file itself, not part of the model, so changing
  them does not change ``model_version``; :meth:`HamflowConfig.profile_fingerprint` gives a
  separate hash per athlete so a store can still tell that an athlete's numbers changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from types import MappingProxyType
from typing import Any, Literal

#: Bumped by hand when a rule (not a number) changes; numbers are covered by the hash.
MODEL_RULES_VERSION = "2.0"

Sex = Literal["male", "female", "unspecified"]


@dataclass(frozen=True, slots=True)
class AthleteProfile:
    """One athlete's personal anchors. Defaults fit nobody in particular: set your own."""

    #: Fastest speed the athlete can reach (m/s); speed bands are fractions of it.
    vmax_mps: float = 8.0
    #: Running speed holdable for about an hour on the flat (m/s): IF 1 on foot.
    threshold_speed_mps: float = 3.6
    #: Bike power holdable for about an hour (W): IF 1 on the bike.
    bike_threshold_power_w: float = 200.0
    #: Rowing-ergometer power holdable for about an hour (W): IF 1 on the rower.
    rower_threshold_power_w: float = 180.0
    hr_max_bpm: float = 190.0
    hr_rest_bpm: float = 60.0
    #: Heart rate at threshold; when unset, ``hr_rest + threshold_hrr_fraction * reserve``.
    threshold_hr_bpm: float | None = None
    #: Picks the TRIMP weighting (Banister's male/female curves; the mean when unspecified).
    sex: Sex = "unspecified"
    #: IANA zone used for local weeks when a file carries no UTC offset.
    timezone: str | None = None
    #: Serial numbers of this athlete's devices (watches, consoles), for the store.
    device_serials: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class PatternShares:
    """``p`` per pattern: the share of a second's lower-limb load credited to hip extension."""

    downhill: float = 0.25
    walk_flat: float = 0.45
    walk_incline: float = 0.55
    walk_steep: float = 0.65
    run_easy: float = 0.35
    #: RUN_UPHILL: ``min(run_uphill_base + run_uphill_per_pct * grade, run_uphill_max)``.
    run_uphill_base: float = 0.35
    run_uphill_per_pct: float = 0.025
    run_uphill_max: float = 0.65
    hsr: float = 0.55
    sprint: float = 0.75
    hill_sprint: float = 0.60
    row: float = 0.60
    stair: float = 0.50
    elliptical: float = 0.35
    #: Used instead of ``elliptical`` when the sub_sport or the user says the session was reverse.
    elliptical_reverse: float = 0.40
    bike: float = 0.30


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Speed and grade bounds of the per-second patterns."""

    #: Below this a second on foot is walking, at or above it running (m/s).
    walk_run_speed_mps: float = 2.0
    #: On foot or on a bike, slower than this is standing still (m/s).
    moving_speed_mps: float = 0.5
    #: On foot with a cadence: at or above this many steps per minute is running, below it
    #: walking, whatever the speed (``walk_run_speed_mps`` decides only without a cadence).
    run_min_cadence_spm: float = 140.0
    downhill_max_grade_pct: float = -5.0
    walk_incline_min_grade_pct: float = 5.0
    walk_steep_min_grade_pct: float = 10.0
    run_uphill_min_grade_pct: float = 3.0
    hill_sprint_min_grade_pct: float = 3.0
    hsr_vmax_fraction: float = 0.70
    sprint_vmax_fraction: float = 0.90
    hill_sprint_vmax_fraction: float = 0.75
    #: A hill sprint must hold its grade and speed for this many consecutive seconds.
    hill_sprint_sustain_s: int = 5
    maxv_vmax_fraction: float = 0.95
    #: An effort is at least this many consecutive 1 Hz samples above its threshold.
    effort_min_samples: int = 2


@dataclass(frozen=True, slots=True)
class HamstringMultiplier:
    """``h = (v / (reference_vmax_fraction * vmax)) ** exponent`` on foot from HSR speed up."""

    exponent: float = 2.6
    reference_vmax_fraction: float = 0.9


@dataclass(frozen=True, slots=True)
class IntensityParams:
    """How a second's intensity factor (IF) is found when speed or power cannot give it."""

    #: Threshold heart rate as a fraction of heart-rate reserve, when the profile has none.
    threshold_hrr_fraction: float = 0.85
    #: Banister TRIMP exponents; 'unspecified' uses their mean.
    trimp_b_male: float = 1.92
    trimp_b_female: float = 1.67
    #: Minetti's polynomial was fitted from -45 % to +45 %; grades are clamped to that range.
    minetti_grade_limit_pct: float = 45.0
    #: Rowing ergometers without power: P = coefficient * v^3 (Concept2's pace formula); 0 = off.
    erg_pace_power_coefficient: float = 2.80
    #: IF of a moving second with no speed (on foot), power or heart rate to go by.
    nominal_if: float = 0.7
    #: Descents on foot: below ``-descent_onset_pct`` grade, IF is at least
    #: ``speed / threshold speed * descent_gain_per_pct * (|grade| - onset)``: the eccentric quad
    #: work of braking rises with the slope while the metabolic cost falls.
    descent_onset_pct: float = 5.0
    descent_gain_per_pct: float = 0.15


@dataclass(frozen=True, slots=True)
class ClassRules:
    """Workout classes from the balance B = PL / (PL + QL)."""

    posterior_min_share: float = 0.55
    #: ... and at least this fraction of moving time in patterns with ``p >= posterior_pattern_min_p``.
    posterior_min_time_fraction: float = 0.50
    quad_max_share: float = 0.40
    posterior_pattern_min_p: float = 0.55
    quad_pattern_max_p: float = 0.40
    #: Sessions with less loaded moving time than this are too short to classify (s).
    min_loaded_s: float = 60.0
    sprint_session_min_efforts: int = 3
    #: A sprint session is ``posterior`` whatever the easy running around the efforts.
    sprint_session_is_posterior: bool = True


@dataclass(frozen=True, slots=True)
class LegDayRules:
    """When a row or stair session is as hard on the legs as a leg day in the gym."""

    hard_if: float = 1.05
    hard_min_s: float = 600.0
    session_if: float = 0.90
    session_min_s: float = 1200.0


@dataclass(frozen=True, slots=True)
class SessionFlags:
    """What counts as an incline-walk or a rowing session in the weekly counts."""

    incline_walk_min_s: float = 600.0
    rowing_min_s: float = 600.0


@dataclass(frozen=True, slots=True)
class SamplingParams:
    """Regular 1 Hz samples and segments."""

    #: Without timer events or a distance, gaps in the records up to this long are filled in;
    #: longer ones are pauses (no load).
    max_gap_s: int = 10
    #: With timer events or a distance, a gap up to this long is filled when the timer ran
    #: through it and (where the file has a distance) the distance advanced at moving speed.
    max_moving_gap_s: int = 60
    #: Runs of one pattern shorter than this join a neighbouring segment (efforts excepted).
    segment_min_s: int = 15


@dataclass(frozen=True, slots=True)
class GradeFilter:
    """Grade from altitude and distance (outdoors, when no device grade exists)."""

    #: Least-squares slope of altitude over distance in a centred window this long (m).
    window_m: float = 30.0
    #: Windows covering less than this fraction of ``window_m`` keep the previous grade.
    min_span_fraction: float = 0.5
    #: Larger absolute grades are glitches and keep the previous grade (%), on wheels...
    max_abs_pct: float = 40.0
    #: ... and on foot, where a vertical-kilometre course climbs at 50 % for most of an hour.
    max_abs_pct_on_foot: float = 55.0
    #: The previous grade is kept for at most this long (s); beyond it the grade is unknown.
    hold_s: int = 30
    #: Centred rolling mean over this many samples after the slope.
    rolling_samples: int = 3
    #: The window is also at least this many seconds of travel at the local speed, so a fast
    #: ride does not fit its slope through three or four samples.
    window_s: float = 10.0
    #: ... and long enough that the altitude noise measured in the session moves the slope by
    #: less than this (grade %, one standard deviation).
    target_noise_pct: float = 0.75
    #: No altitude sensor is better than this (m, one standard deviation): a barometer reads
    #: in 0.2 m steps and drifts with the weather, so a session whose altitude never wobbles
    #: is still this uncertain.
    min_noise_m: float = 0.5
    #: Where that would need a window longer than this (m), altitude is too noisy to trust:
    #: no grade, no incline credit, and the workout says so.
    max_window_m: float = 400.0
    #: A slope smaller than this many standard errors (from the measured noise) is flat: noise
    #: does not make hills, and a device's own ascent ignores the same wobble.
    significance_z: float = 2.0

    def on_foot(self) -> GradeFilter:
        """The same filter with the steeper glitch limit of a session on foot."""
        return replace(self, max_abs_pct=self.max_abs_pct_on_foot)


_HIP_EXTENSION = ("deadlift", "hip_raise", "leg_curl", "hyperextension", "hip_swing", "olympic_lift")
_KNEE_EXTENSION = ("squat", "lunge", "plyo", "sled")


@dataclass(frozen=True, slots=True)
class StrengthRules:
    """FIT exercise categories by the joint action that dominates them."""

    hip_extension: tuple[str, ...] = _HIP_EXTENSION
    knee_extension: tuple[str, ...] = _KNEE_EXTENSION


@dataclass(frozen=True, slots=True)
class ChannelBounds:
    """Physical and physiological bounds of one activity's sensor values."""

    max_speed_mps: float
    max_power_w: float
    #: In the file's own unit: revolutions, strides or strokes per minute.
    max_cadence: float
    #: Altitude changing faster than this (m/s) is a sensor jump, not terrain.
    max_vertical_speed_mps: float


def _bounds(speed: float, power: float, cadence: float, vertical: float) -> ChannelBounds:
    return ChannelBounds(speed, power, cadence, vertical)


@dataclass(frozen=True, slots=True)
class QualityParams:
    """The data-quality screen between decoding and classification (``quality.py``)."""

    on_foot: ChannelBounds = field(default_factory=lambda: _bounds(12.5, 2000.0, 130.0, 3.0))
    bike: ChannelBounds = field(default_factory=lambda: _bounds(35.0, 2500.0, 250.0, 6.0))
    row: ChannelBounds = field(default_factory=lambda: _bounds(8.0, 2000.0, 70.0, 3.0))
    #: Elliptical, stair climber, strength and every other sport.
    other: ChannelBounds = field(default_factory=lambda: _bounds(40.0, 2500.0, 250.0, 10.0))
    min_heart_rate_bpm: float = 25.0
    max_heart_rate_bpm: float = 240.0
    #: A speed further than this from the median of the seconds around it is a spike (m/s).
    max_speed_jump_mps: float = 3.0
    #: ... the median over this many seconds, centred.
    spike_window_s: int = 7
    #: On foot, a cadence that says walking (below ``run_min_cadence_spm``) with a speed above
    #: this is a GPS jump, not a walker (m/s).
    max_walking_speed_mps: float = 3.0
    #: Values above the session's own maximum by more than this fraction are masked.
    session_max_tolerance: float = 0.10
    #: Records this far (s) outside the session's own start and elapsed time are not counted.
    session_span_tolerance_s: float = 120.0
    #: The records' and the session's distances disagree when one is this many times the other.
    distance_mismatch_ratio: float = 1.5
    #: Records further than this (s) from the rest of the session carry damaged time stamps.
    max_pause_s: float = 6 * 3600.0
    #: No one holds more than this session IF (root mean square) against a true threshold for
    #: ``session_if_min_s`` or longer; above it the thresholds in use are too low for the
    #: athlete, and the session's intensity is scaled down to it.
    max_session_if: float = 1.15
    session_if_min_s: float = 1200.0


@dataclass(frozen=True, slots=True)
class RowingDetection:
    """Rowing recognised from the data when the file files it under a generic sport."""

    #: Median stroke rate (cadence) of the moving seconds in this range ...
    min_stroke_rate_spm: float = 14.0
    max_stroke_rate_spm: float = 48.0
    #: ... with a median boat or erg speed in this range (m/s).
    min_speed_mps: float = 1.5
    max_speed_mps: float = 7.0
    #: ... over at least this fraction of the moving seconds.
    min_fraction: float = 0.7


@dataclass(frozen=True, slots=True)
class Calibration:
    """Athlete thresholds estimated from each athlete's own screened samples (``thresholds.py``).

    An athlete's own ``[athletes.<id>]`` values always win; estimates win over the defaults.
    """

    #: Estimate thresholds at all; false keeps every athlete on the configured numbers.
    enabled: bool = True
    #: vmax: the best mean speed on foot over this many consecutive seconds (s).
    vmax_window_s: int = 3
    #: vmax may be lowered below the default by the athlete's own best, never below this (m/s):
    #: the slowest top speed in Weyand et al. 2000 (J Appl Physiol 89:1991) was 6.2 m/s.
    vmax_floor_mps: float = 6.0
    #: Threshold speed and power: ``threshold_fraction`` x the best mean over this long (s).
    threshold_window_s: int = 1200
    threshold_fraction: float = 0.95
    #: HRmax: the highest median heart rate over this many consecutive seconds (s).
    hr_max_window_s: int = 30


@dataclass(frozen=True, slots=True)
class Duplicates:
    """Two recordings of one workout (a watch and the machine, an export and its copy) counted
    once and merged (``duplicates.py``, docs/model.md section 11)."""

    #: Two sessions of one athlete are one workout when they overlap in time by at least this
    #: fraction of the shorter one. Genuine back-to-back sessions overlap by seconds at most.
    min_overlap_fraction: float = 0.8
    #: Device clocks are set from GPS, the network or by hand: the offset between two
    #: recordings is searched within +- this many seconds (s).
    max_clock_offset_s: int = 120
    #: A shared stream must agree at least this well (Pearson r at the best offset) for the
    #: offset to be trusted; below it the recordings are merged as their clocks say.
    min_alignment_r: float = 0.5


@dataclass(frozen=True, slots=True)
class ModelParams:
    p: PatternShares = field(default_factory=PatternShares)
    thresholds: Thresholds = field(default_factory=Thresholds)
    hamstring: HamstringMultiplier = field(default_factory=HamstringMultiplier)
    intensity: IntensityParams = field(default_factory=IntensityParams)
    classes: ClassRules = field(default_factory=ClassRules)
    leg_day: LegDayRules = field(default_factory=LegDayRules)
    sessions: SessionFlags = field(default_factory=SessionFlags)
    sampling: SamplingParams = field(default_factory=SamplingParams)
    grade: GradeFilter = field(default_factory=GradeFilter)
    strength: StrengthRules = field(default_factory=StrengthRules)
    quality: QualityParams = field(default_factory=QualityParams)
    rowing: RowingDetection = field(default_factory=RowingDetection)
    calibration: Calibration = field(default_factory=Calibration)
    duplicates: Duplicates = field(default_factory=Duplicates)


@dataclass(frozen=True, slots=True)
class WeeklyParams:
    """Weekly counts and flags."""

    max_sprint_sessions: int = 2
    hard_session_gap_h: float = 48.0
    #: When true, ``strict_hard_session_gap_h`` replaces ``hard_session_gap_h``.
    strict_spacing: bool = False
    strict_hard_session_gap_h: float = 72.0
    acute_days: int = 7
    chronic_days: int = 28
    spike_ratio: float = 1.5
    #: No acute:chronic ratio until the athlete has this many days of history.
    min_history_days: int = 28
    quad_block_days: int = 28
    quad_block_max_share: float = 0.40
    maxv_window_days: int = 14

    @property
    def min_gap_hours(self) -> float:
        return self.strict_hard_session_gap_h if self.strict_spacing else self.hard_session_gap_h


@dataclass(frozen=True, slots=True)
class GuidanceParams:
    """What ``hamflow next`` and the report hold an athlete's week against, beyond the flags.

    Not model numbers: they change no stored row, so they are not part of ``model_version``.
    """

    #: Incline-walk and rowing sessions together per week: the guide's 3-4 a week.
    posterior_sessions_min: int = 3
    posterior_sessions_max: int = 4
    #: The band of posterior share aimed for over the last ``share_weeks`` weeks.
    target_share_low: float = 0.45
    target_share_high: float = 0.60
    share_weeks: int = 4


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """How much a zip or gzip archive in the inbox may make hamflow read, against hostile or
    broken archives (a "zip bomb" expands a few kilobytes into terabytes).

    Checked on the sizes an archive's directory declares before anything is decompressed, and
    again on the bytes as they stream. Not model numbers: they change no stored row.
    """

    #: Members (files and folders) of one archive, nested archives' members included: a Garmin
    #: Connect export of ten years holds some tens of thousands.
    max_members: int = 200_000
    #: Uncompressed bytes of one archive, nested archives included: the largest exports seen
    #: are a few gigabytes.
    max_total_mb: float = 20_480.0
    #: Uncompressed size over compressed size of any member: real FIT files compress at most
    #: about 12:1; deflate's own ceiling is about 1032:1, which zip bombs approach.
    max_ratio: float = 100.0
    #: Archives inside archives: a Garmin export is a zip of zips (2), a gzip in either adds one.
    max_depth: int = 3

    @property
    def max_total_bytes(self) -> int:
        return int(self.max_total_mb * 2**20)


DEFAULT_ATHLETE = "default"


@dataclass(frozen=True)
class HamflowConfig:
    """The whole configuration: model numbers, weekly options and athlete profiles."""

    model: ModelParams = field(default_factory=ModelParams)
    weekly: WeeklyParams = field(default_factory=WeeklyParams)
    default_profile: AthleteProfile = field(default_factory=AthleteProfile)
    athletes: Mapping[str, AthleteProfile] = field(default_factory=lambda: MappingProxyType({}))
    #: The profile keys each athlete's own ``[athletes.<id>]`` table sets (the config loader
    #: records them): these are never replaced by estimates. Keys of ``[athletes.default]`` are
    #: defaults, which estimates may replace. Not compared: it adds nothing the profiles lack.
    configured: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}), compare=False)
    guidance: GuidanceParams = field(default_factory=GuidanceParams)
    archives: ArchiveLimits = field(default_factory=ArchiveLimits)

    def __getstate__(self) -> dict[str, Any]:
        # A mapping proxy does not pickle: its mappings travel as dicts (to a pool's workers).
        return {**self.__dict__, "athletes": dict(self.athletes), "configured": dict(self.configured)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, athletes=MappingProxyType(state["athletes"]), configured=MappingProxyType(state["configured"]))

    @property
    def default_athlete(self) -> str:
        """The id under which files of unknown athletes are filed (``default``)."""
        return DEFAULT_ATHLETE

    def profile(self, athlete_id: str | None) -> AthleteProfile:
        """The athlete's own profile, or the default profile for anyone not configured."""
        if athlete_id is None:
            return self.default_profile
        return self.athletes.get(athlete_id, self.default_profile)

    def configured_keys(self, athlete_id: str | None) -> frozenset[str]:
        """The profile keys set in ``[athletes.<athlete_id>]`` itself (never estimated)."""
        if athlete_id is None or athlete_id == DEFAULT_ATHLETE:
            return frozenset()
        return self.configured.get(athlete_id, frozenset())

    def athlete_for_serial(self, serial_number: int | None) -> str | None:
        """The configured athlete whose devices include ``serial_number`` (first by id)."""
        if serial_number is None:
            return None
        for athlete_id in sorted(self.athletes):
            if serial_number in self.athletes[athlete_id].device_serials:
                return athlete_id
        return None

    @cached_property
    def model_version(self) -> str:
        """``<rules version>+<8 hex of the model numbers' hash>``, e.g. ``1.0+3f2a9c1e``.

        Kept once computed: every classified session is stamped with it, and hashing the whole
        model each time would cost as much as classifying a short session. The config is frozen."""
        return model_version(self.model, self.weekly)

    def profile_fingerprint(self, athlete_id: str | None) -> str:
        """A short hash of one athlete's numbers (device serials excluded: they change nothing)."""
        values = asdict(self.profile(athlete_id))
        values.pop("device_serials")
        return _digest(values)


def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=list)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def model_version(model: ModelParams, weekly: WeeklyParams) -> str:
    """Version string of the model numbers: equal numbers give equal strings, on any machine."""
    return f"{MODEL_RULES_VERSION}+{_digest({'model': asdict(model), 'weekly': asdict(weekly)})}"


DEFAULT_CONFIG = HamflowConfig()
