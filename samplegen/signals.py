"""Per-second signals: from a session plan to what the sensors would record.

Each *family* models one way of moving and the sensors involved: outdoor
running (GPS, barometer), treadmill walking (belt speed and console grade),
rowing ergometer (stroke-by-stroke power), bike trainer (ERG power,
virtual speed), elliptical, stair climber and strength training (heart
rate only).  All families share the heart-rate model, which lets HR follow
the workload with a lag, so intensity shows up in HR the way it does on a
real wrist.  Everything is a pure function of the spec and its seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from . import geo
from .catalog import kind_info
from .model import Athlete, LapSpan, Trace, WorkoutSpec
from .noise import ar1, bell, cbrt, clamp, cumulative, lag, random_walk, white
from .phases import Phase, plan_for

Channels = dict[str, list[float]]
Signals = tuple[Channels, list[float]]
"""Channels by name plus the per-second effort that drives heart rate."""
Family = Callable[[random.Random, Athlete, Sequence[Phase], str], Signals]

ROUTES: dict[str, geo.Route] = {"track_sprints": geo.TRACK, "hill_sprints": geo.HILL_PATH}
"""Outdoor route per kind; anything else runs along the river path."""


def targets(phases: Sequence[Phase], attr: str, ramp: int | None = None) -> list[float]:
    """Expand phase targets to one value per second with linear ramps between phases.

    ``ramp`` overrides the phases' own ramp length (0 = instant change, e.g.
    for terrain grade, which changes the moment one reaches the hill).
    """
    out: list[float] = []
    prev = getattr(phases[0], attr)
    for phase in phases:
        goal = getattr(phase, attr)
        steps = max(1, min(phase.ramp if ramp is None else ramp, phase.seconds))
        for j in range(phase.seconds):
            out.append(goal if j + 1 >= steps else prev + (goal - prev) * (j + 1) / steps)
        prev = goal
    return out


def per_second(phases: Sequence[Phase], attr: str) -> list:
    """Repeat a phase attribute for every second of the phase (no ramps)."""
    return [getattr(p, attr) for p in phases for _ in range(p.seconds)]


def duration(phases: Sequence[Phase]) -> int:
    return sum(p.seconds for p in phases)


def running_effort(athlete: Athlete, speed: float, grade: float) -> float:
    """Fraction of heart-rate reserve demanded by moving at ``speed`` up ``grade`` %.

    Each percent of grade adds about 7 % to the metabolic cost of moving, so
    a 13 % treadmill walk costs about as much as an easy flat jog.
    """
    demand = speed * max(0.0, 1.0 + 0.07 * grade)
    return min(1.1, 0.15 + 0.75 * demand / athlete.threshold_speed)


def power_effort(power: float, ftp: float) -> float:
    """Fraction of heart-rate reserve demanded by holding ``power`` watts."""
    return min(1.1, 0.10 + 0.72 * power / ftp)


def heart_rate(rng: random.Random, athlete: Athlete, effort: Sequence[float]) -> list[float]:
    """Heart rate that follows the effort with a lag, cardiac drift and sensor noise.

    HR rises with a ~15 s time constant and recovers with ~45 s, so a 10 s
    sprint shows up as a delayed bump rather than a step.  Sustained work
    adds a slow upward drift of about 2.5 bpm per hour.
    """
    reserve = athlete.hr_max - athlete.hr_rest
    goal = [athlete.hr_rest + reserve * e for e in effort]
    level = lag(goal, tau_up=15.0, tau_down=45.0, start=athlete.hr_rest + 18.0)
    drift = cumulative([0.0007 if e > 0.5 else 0.0 for e in effort])
    noise = ar1(rng, len(effort), 1.2, 0.85)
    low, high = athlete.hr_rest - 3, athlete.hr_max
    return [round(clamp(h + d + z, low, high)) for h, d, z in zip(level, drift, noise, strict=False)]


def step_cadence(speed: float) -> float:
    """Steps per minute at a given speed: walking below ~2.2 m/s, running above."""
    if speed < 0.2:
        return 0.0
    if speed < 2.2:
        return 92.0 + 16.0 * speed
    return 148.0 + 8.5 * speed


def stride_cadence(rng: random.Random, speeds: Sequence[float]) -> list[float]:
    """Garmin on-foot cadence: strides (step pairs) per minute, with step noise."""
    noise = ar1(rng, len(speeds), 1.4, 0.7)
    return [round((step_cadence(v) + z) / 2.0) if v >= 0.2 else 0 for v, z in zip(speeds, noise, strict=False)]


def noisy_speed(rng: random.Random, goal: Sequence[float], sd: float, ceiling: float) -> list[float]:
    """Measured speed: correlated jitter around the target, exactly 0 when standing."""
    noise = ar1(rng, len(goal), sd, 0.7)
    return [clamp(v + z, 0.0, ceiling) if v >= 0.2 else 0.0 for v, z in zip(goal, noise, strict=False)]


def run_outdoor(rng: random.Random, athlete: Athlete, phases: Sequence[Phase], kind: str) -> Signals:
    """GPS watch outdoors: positions, speed, distance, barometric altitude, cadence.

    Altitude is the integral of speed x grade (so a grade estimated from
    altitude and distance recovers the hill) plus barometer noise (~0.2 m),
    a slow weather drift, and the FIT 0.2 m quantisation applied on encode.
    No ``grade`` channel: watches do not record one.
    """
    n = duration(phases)
    grade = targets(phases, "grade", ramp=0)
    speed = noisy_speed(rng, targets(phases, "speed"), 0.05, 0.98 * athlete.vmax)
    direction = per_second(phases, "direction")
    climb = [v * g / 100.0 for v, g in zip(speed, grade, strict=False)]
    baro = [w + d for w, d in zip(white(rng, n, 0.2), random_walk(rng, n, 0.01), strict=False)]
    altitude = [a + b for a, b in zip(cumulative(climb, athlete.base_altitude), baro, strict=False)]
    path = cumulative([v * d for v, d in zip(speed, direction, strict=False)])
    route = ROUTES.get(kind, geo.RIVER_PATH)
    east_err, north_err = ar1(rng, n, 1.5, 0.98), ar1(rng, n, 1.5, 0.98)
    lat, lon = [], []
    for s, ex, ny in zip(path, east_err, north_err, strict=False):
        x, y = route.xy(s)
        la, lo = geo.to_semicircles(athlete.origin_lat, athlete.origin_lon, x + ex, y + ny)
        lat.append(la)
        lon.append(lo)
    channels = {
        "position_lat": lat,
        "position_long": lon,
        "distance": cumulative(speed),
        "speed": speed,
        "altitude": altitude,
        "cadence": stride_cadence(rng, speed),
    }
    return channels, [running_effort(athlete, v, g) for v, g in zip(speed, grade, strict=False)]


def treadmill(rng: random.Random, athlete: Athlete, phases: Sequence[Phase], kind: str) -> Signals:
    """Treadmill walk: belt speed, console incline in 0.5 % steps, no GPS or altitude.

    The incline motor needs a few seconds to move, so grade changes ramp
    over 8 s; belt speed as seen by the watch carries a little stride noise.
    """
    grade = [round(g * 2.0) / 2.0 for g in targets(phases, "grade", ramp=8)]
    speed = noisy_speed(rng, targets(phases, "speed"), 0.015, 3.0)
    channels = {
        "distance": cumulative(speed),
        "speed": speed,
        "cadence": stride_cadence(rng, speed),
        "grade": grade,
    }
    return channels, [running_effort(athlete, v, g) for v, g in zip(speed, grade, strict=False)]


def stroke_power(
    rng: random.Random, power: Sequence[float], rate: Sequence[float]
) -> tuple[list[float], list[float]]:
    """Rowing power and stroke rate as a console reports them once per second.

    Power comes in strokes: each stroke (period 60/rate seconds) gets its
    own power, varying ~2.5 % stroke to stroke, and each second reports the
    time-weighted mean of the strokes that overlap it.
    """
    n = len(power)
    watts = [0.0] * n
    spm = [0.0] * n
    t = 0.0
    while t < n:
        i = int(t)
        stroke_rate = rate[i] + 0.5 * bell(rng)
        stroke_watts = power[i] * (1.0 + 0.025 * bell(rng))
        end = min(t + 60.0 / stroke_rate, float(n))
        while t < end:
            sec = int(t)
            nxt = min(end, sec + 1.0)
            watts[sec] += stroke_watts * (nxt - t)
            spm[sec] += stroke_rate * (nxt - t)
            t = nxt
    return watts, spm


def rower(rng: random.Random, athlete: Athlete, phases: Sequence[Phase], kind: str) -> Signals:
    """Indoor rower: stroke power, stroke rate as cadence, pace-derived speed.

    Speed follows the Concept2 pace relation P = 2.80 * v^3.
    """
    watts, spm = stroke_power(rng, targets(phases, "power"), targets(phases, "cadence"))
    power = [round(w) for w in watts]
    speed = [cbrt(p / 2.80) for p in power]
    channels = {
        "distance": cumulative(speed),
        "speed": speed,
        "cadence": [round(r) for r in spm],
        "power": power,
    }
    return channels, [power_effort(p, athlete.row_ftp) for p in power]


def trainer(rng: random.Random, athlete: Athlete, phases: Sequence[Phase], kind: str) -> Signals:
    """Smart trainer in ERG mode: power held near target, virtual speed with inertia."""
    n = duration(phases)
    power = [round(p + z) for p, z in zip(targets(phases, "power"), white(rng, n, 5.0), strict=False)]
    cadence = [round(c + z) for c, z in zip(targets(phases, "cadence"), ar1(rng, n, 1.2, 0.8), strict=False)]
    speed = lag([cbrt(p / 0.30) for p in power], tau_up=6.0, tau_down=6.0, start=cbrt(power[0] / 0.30))
    channels = {"distance": cumulative(speed), "speed": speed, "cadence": cadence, "power": power}
    return channels, [power_effort(p, athlete.bike_ftp) for p in power]


def cadence_machine(stride_m: float | None) -> Family:
    """Console machines that only report cadence (and maybe a stride-based speed)."""

    def family(rng: random.Random, athlete: Athlete, phases: Sequence[Phase], kind: str) -> Signals:
        n = duration(phases)
        cadence = [c + z for c, z in zip(targets(phases, "cadence"), ar1(rng, n, 1.2, 0.8), strict=False)]
        channels: Channels = {}
        if stride_m is not None:
            speed = [c * stride_m / 60.0 for c in cadence]
            channels = {"distance": cumulative(speed), "speed": speed}
        channels["cadence"] = [round(c) for c in cadence]
        return channels, targets(phases, "effort")

    return family


def strength(rng: random.Random, athlete: Athlete, phases: Sequence[Phase], kind: str) -> Signals:
    """Strength training: the watch records only heart rate between set messages."""
    return {}, targets(phases, "effort")


FAMILIES: dict[str, Family] = {
    "run": run_outdoor,
    "treadmill": treadmill,
    "row": rower,
    "bike": trainer,
    "elliptical": cadence_machine(stride_m=2.1),
    "stair": cadence_machine(stride_m=None),
    "strength": strength,
}


def laps_for(mode: str, phases: Sequence[Phase], distance: Sequence[float] | None) -> list[LapSpan]:
    """Lap boundaries: one per workout step, every kilometre, or a single lap."""
    n = duration(phases)
    if mode == "single":
        return [LapSpan(0, n, "active", "session_end")]
    if mode == "auto_km":
        if distance is None:
            raise ValueError("auto_km laps need a distance channel")
        km = [int(d // 1000.0) for d in distance]
        ends = [i + 1 for i in range(1, n - 1) if km[i] > km[i - 1]]
        starts = [0, *ends]
        stops = [*ends, n]
        return [
            LapSpan(a, b, "active", "distance" if b < n else "session_end") for a, b in zip(starts, stops, strict=False)
        ]
    laps: list[LapSpan] = []
    start = 0
    for i, phase in enumerate(phases):
        end = start + phase.seconds
        if i + 1 == len(phases) or phases[i + 1].step != phase.step:
            first = laps[-1].end if laps else 0
            laps.append(LapSpan(first, end, phase.step, "time" if end < n else "session_end"))
        start = end
    return laps


def build_trace(spec: WorkoutSpec) -> Trace:
    """Generate the complete per-second trace of a workout from its spec."""
    info = kind_info(spec.kind)
    rng = random.Random(spec.seed)
    plan = plan_for(spec.kind, rng, spec.athlete, spec.duration_s)
    channels, effort = FAMILIES[info.family](rng, spec.athlete, plan.phases, spec.kind)
    channels["heart_rate"] = heart_rate(rng, spec.athlete, effort)
    laps = laps_for(info.lap_mode, plan.phases, channels.get("distance"))
    return Trace(n=plan.seconds, channels=channels, laps=laps, effort=effort, sets=list(plan.sets))
