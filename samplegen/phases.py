"""Session plans: how each kind of workout is structured over time.

A plan is a list of phases (warm-up, reps, recoveries, ...) with target
values, produced from the athlete, the requested duration and a seeded
``random.Random``.  Phase durations always add up to exactly the requested
duration, so the record count of a file is known from its spec.  Turning
targets into noisy per-second signals is the job of ``signals``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from .model import Athlete, StrengthSet


@dataclass(frozen=True)
class Phase:
    """A stretch of constant intent.

    ``step`` becomes the FIT lap intensity (warmup, active, recovery, rest,
    cooldown).  ``speed`` is along the path in m/s, ``grade`` in percent of
    the surface under the feet, ``direction`` is -1 when walking back down
    the way one came.  ``cadence``, ``power`` and ``effort`` are the machine
    targets; ``effort`` (fraction of heart-rate reserve) is only used where
    the workload cannot be derived from speed or power.  ``ramp`` is how many
    seconds it takes to reach the targets from the previous phase.
    """

    seconds: int
    step: str = "active"
    speed: float = 0.0
    grade: float = 0.0
    cadence: float = 0.0
    power: float = 0.0
    effort: float = 0.0
    direction: int = 1
    ramp: int = 4


@dataclass(frozen=True)
class Plan:
    phases: tuple[Phase, ...]
    sets: tuple[StrengthSet, ...] = ()

    @property
    def seconds(self) -> int:
        return sum(p.seconds for p in self.phases)


PlanFn = Callable[[random.Random, Athlete, int], Plan]

MIN_SECONDS = 1200
"""Shortest workout the plans are designed for (warm-up + work + cool-down)."""


def _split(total: int, first_share: float) -> tuple[int, int]:
    first = round(total * first_share)
    return first, total - first


def _blocks(rng: random.Random, seconds: int, shortest: int, longest: int) -> list[int]:
    """Cut ``seconds`` into random block lengths; the last block absorbs the tail."""
    out: list[int] = []
    left = seconds
    while left > 0:
        block = rng.randint(shortest, longest)
        if left - block < shortest:
            block = left
        out.append(block)
        left -= block
    return out


def easy_run(rng: random.Random, athlete: Athlete, seconds: int) -> Plan:
    """Conversational pace with slow drifts (terrain, traffic, fatigue)."""
    base = rng.uniform(2.82, 3.02)
    phases = [Phase(60, speed=base - 0.25, ramp=1)]
    for block in _blocks(rng, seconds - 60, 180, 420):
        phases.append(Phase(block, speed=base + rng.uniform(-0.08, 0.08), ramp=30))
    return Plan(tuple(phases))


def tempo_run(rng: random.Random, athlete: Athlete, seconds: int) -> Plan:
    """Warm-up, ~20 minutes at about 4.0 m/s, cool-down."""
    tempo = min(1200, round(seconds * 0.45))
    warm, cool = _split(seconds - tempo, 0.55)
    return Plan(
        (
            Phase(warm, "warmup", speed=rng.uniform(2.8, 2.95), ramp=1),
            Phase(tempo, "active", speed=rng.uniform(3.96, 4.04), ramp=20),
            Phase(cool, "cooldown", speed=rng.uniform(2.65, 2.8), ramp=20),
        )
    )


def _with_warmup_and_cooldown(
    rng: random.Random, seconds: int, main: list[Phase], jog: float, min_easy: int
) -> tuple[Phase, ...]:
    """Wrap a main set in an easy jog before and after, filling the duration."""
    easy = seconds - sum(p.seconds for p in main)
    if easy < min_easy:
        raise ValueError(f"main set of {sum(p.seconds for p in main)} s does not fit in {seconds} s")
    warm, cool = _split(easy, 0.6)
    head = Phase(warm, "warmup", speed=jog, ramp=1)
    tail = Phase(cool, "cooldown", speed=jog - rng.uniform(0.05, 0.2), ramp=6)
    return (head, *main, tail)


def _fit_reps(reps: list[list[Phase]], seconds: int, lead: list[Phase], min_easy: int) -> list[Phase]:
    """Drop trailing reps until the main set leaves room for warm-up and cool-down."""

    def main_seconds() -> int:
        return sum(p.seconds for p in lead) + sum(p.seconds for rep in reps for p in rep)

    while len(reps) > 1 and main_seconds() > seconds - min_easy:
        reps.pop()
    return lead + [p for rep in reps for p in rep]


def track_sprints(rng: random.Random, athlete: Athlete, seconds: int) -> Plan:
    """5-8 sprints of 8-10 s near top speed from a walk, 2-3 minutes walking between.

    Top speeds sit at 93-96 % of vmax so each sprint holds several seconds
    above the 90 % sprint threshold even with measurement noise.
    """
    reps = [
        [
            Phase(rng.randint(8, 10), "active", speed=athlete.vmax * rng.uniform(0.93, 0.96), ramp=4),
            Phase(rng.randint(120, 180), "recovery", speed=rng.uniform(1.25, 1.4), ramp=5),
        ]
        for _ in range(rng.randint(5, 8))
    ]
    lead = [Phase(60, "recovery", speed=1.3, ramp=5)]
    main = _fit_reps(reps, seconds, lead, min_easy=480)
    return Plan(_with_warmup_and_cooldown(rng, seconds, main, jog=rng.uniform(2.75, 2.9), min_easy=480))


HILL_GRADE = 8.0


def _hill_rep(rng: random.Random, athlete: Athlete) -> list[Phase]:
    """Sprint up a steady 8 % hill, ease off, walk back down, wait at the bottom.

    The walk-down duration is chosen so the distance walked matches the
    distance run up (including the acceleration and easing ramps), so the
    athlete ends each rep where it started and altitude stays consistent
    with distance x grade.
    """
    up_s = rng.randint(10, 12)
    top = athlete.vmax * rng.uniform(0.80, 0.825)
    climbed = top * (up_s - 1) + 1.5 * top  # linear 3 s ramp from rest, 4 s ease-off
    walk = rng.uniform(1.25, 1.38)
    return [
        Phase(up_s, "active", speed=top, grade=HILL_GRADE, ramp=3),
        Phase(4, "recovery", speed=0.0, grade=HILL_GRADE, ramp=4),
        Phase(round(climbed / walk + 0.5), "recovery", speed=walk, grade=-HILL_GRADE, direction=-1, ramp=3),
        Phase(rng.randint(10, 25), "recovery", speed=0.0, ramp=2),
    ]


def hill_sprints(rng: random.Random, athlete: Athlete, seconds: int) -> Plan:
    """Flat warm-up jog, 6-10 uphill sprints at 80-82 % of vmax, flat cool-down."""
    reps = [_hill_rep(rng, athlete) for _ in range(rng.randint(6, 10))]
    lead = [Phase(30, "recovery", speed=0.0, ramp=4)]
    main = _fit_reps(reps, seconds, lead, min_easy=480)
    return Plan(_with_warmup_and_cooldown(rng, seconds, main, jog=rng.uniform(2.75, 2.9), min_easy=480))


def _kmh(value: float) -> float:
    """Treadmill consoles step speed in 0.1 km/h."""
    return value / 3.6


def incline_walk(
    rng: random.Random,
    athlete: Athlete,
    seconds: int,
    grades: tuple[float, ...] = (12.0, 12.5, 13.0, 13.5, 14.0, 14.5, 15.0),
    speeds_kmh: tuple[float, ...] = (5.2, 5.3, 5.4, 5.5),
) -> Plan:
    """Steep treadmill walk: short 5 % warm-up, blocks at 12-15 %, easy finish."""
    warm = rng.randint(240, 330)
    cool = rng.randint(150, 210)
    easy = _kmh(4.9)
    phases = [Phase(warm, "warmup", speed=easy, grade=5.0, ramp=1)]
    for block in _blocks(rng, seconds - warm - cool, 300, 600):
        speed, grade = _kmh(rng.choice(speeds_kmh)), rng.choice(grades)
        phases.append(Phase(block, "active", speed=speed, grade=grade, ramp=6))
    phases.append(Phase(cool, "cooldown", speed=easy, grade=5.0, ramp=6))
    return Plan(tuple(phases))


def incline_walk_fixed(rng: random.Random, athlete: Athlete, seconds: int) -> Plan:
    """The Connect IQ treadmill session: one steady 12 % block at 5.2 km/h."""
    return incline_walk(rng, athlete, seconds, grades=(12.0,), speeds_kmh=(5.2,))


def row(rng: random.Random, athlete: Athlete, seconds: int) -> Plan:
    """Steady pieces at 24-27 strokes/min with lighter 22 spm paddles around them.

    Targets stay within 165-212 W so that stroke-to-stroke variation keeps
    every second inside the 150-230 W band of a moderate erg session.
    """
    warm = rng.randint(240, 360)
    cool = rng.randint(180, 240)
    phases = [Phase(warm, "warmup", power=rng.uniform(165, 172), cadence=22, ramp=1)]
    for i, block in enumerate(_blocks(rng, seconds - warm - cool, 300, 420)):
        if i:
            paddle = min(90, block // 4)
            phases.append(Phase(paddle, "recovery", power=rng.uniform(168, 178), cadence=22, ramp=6))
            block -= paddle
        power, rate = rng.uniform(195, 212), rng.randint(24, 27)
        phases.append(Phase(block, "active", power=power, cadence=rate, ramp=8))
    phases.append(Phase(cool, "cooldown", power=rng.uniform(165, 170), cadence=22, ramp=8))
    return Plan(tuple(phases))


def bike(rng: random.Random, athlete: Athlete, seconds: int) -> Plan:
    """ERG-mode trainer session: 5-minute intervals around 235 W, 3-minute spins."""
    warm = rng.randint(420, 540)
    phases = [Phase(warm, "warmup", power=rng.uniform(154, 160), cadence=85, ramp=1)]
    left = seconds - warm
    while left - 480 >= 420:
        phases.append(Phase(300, "active", power=rng.uniform(232, 240), cadence=rng.uniform(88, 91), ramp=5))
        phases.append(Phase(180, "recovery", power=rng.uniform(158, 165), cadence=86, ramp=5))
        left -= 480
    phases.append(Phase(left, "cooldown", power=rng.uniform(152, 156), cadence=84, ramp=8))
    return Plan(tuple(phases))


def _cadence_session(
    rng: random.Random,
    seconds: int,
    easy_cadence: float,
    work: tuple[float, float],
    effort_per_cadence: float,
) -> Plan:
    """Warm-up, blocks at varying cadence, cool-down; effort scales with cadence.

    Used for the elliptical and the stair climber, whose consoles only expose
    cadence (and, for the elliptical, a derived speed).
    """
    warm = rng.randint(180, 300)
    cool = rng.randint(120, 180)
    phases = [Phase(warm, "warmup", cadence=easy_cadence, effort=easy_cadence * effort_per_cadence, ramp=1)]
    for block in _blocks(rng, seconds - warm - cool, 180, 420):
        cadence = rng.uniform(*work)
        phases.append(Phase(block, "active", cadence=cadence, effort=cadence * effort_per_cadence, ramp=10))
    low = easy_cadence - 4
    phases.append(Phase(cool, "cooldown", cadence=low, effort=low * effort_per_cadence, ramp=10))
    return Plan(tuple(phases))


def elliptical(rng: random.Random, athlete: Athlete, seconds: int) -> Plan:
    """Forward elliptical at 62-70 strides/min."""
    return _cadence_session(rng, seconds, 58.0, (62.0, 70.0), 1.0 / 100.0)


def stair(rng: random.Random, athlete: Athlete, seconds: int) -> Plan:
    """Stair climber at 72-86 steps/min; climbing is harder per step than striding."""
    return _cadence_session(rng, seconds, 60.0, (72.0, 86.0), 1.0 / 108.0)


STRENGTH_PROGRAM: tuple[tuple[str, int, int, int, float, float], ...] = (
    # category, exercise name number in that category, sets, reps, kg, effort
    ("deadlift", 23, 3, 8, 60.0, 0.74),  # romanian_deadlift
    ("hip_raise", 1, 3, 10, 80.0, 0.70),  # barbell_hip_thrust_with_bench
    ("leg_curl", 0, 3, 12, 35.0, 0.62),  # leg_curl
    ("squat", 6, 3, 6, 65.0, 0.76),  # barbell_back_squat
    ("lunge", 77, 2, 10, 12.0, 0.68),  # walking_dumbbell_lunge
    ("squat", 0, 2, 12, 110.0, 0.70),  # leg_press
)
"""Lower-body session; categories and names are the FIT SDK profile values."""


def strength(rng: random.Random, athlete: Athlete, seconds: int) -> Plan:
    """Warm-up, then sets and rests of a lower-body program, then mobility.

    The program is cut at the first set that would not fit before a short
    mobility cool-down, and the cool-down absorbs whatever time is left.
    """
    warm = rng.randint(300, 420)
    phases = [Phase(warm, "warmup", effort=0.42, ramp=1)]
    sets: list[StrengthSet] = []
    clock = warm
    budget = seconds - 120
    queue = [entry for entry in STRENGTH_PROGRAM for _ in range(entry[2])]
    for category, subtype, _, reps, kg, effort in queue:
        work = round(reps * rng.uniform(2.6, 3.4)) + rng.randint(3, 6)
        rest = rng.randint(90, 150)
        if clock + work + rest > budget:
            break
        phases.append(Phase(work, "active", effort=effort, ramp=2))
        phases.append(Phase(rest, "rest", effort=0.28, ramp=3))
        sets.append(StrengthSet(clock, work, True, category, subtype, reps, kg))
        sets.append(StrengthSet(clock + work, rest, False))
        clock += work + rest
    phases.append(Phase(seconds - clock, "cooldown", effort=0.3, ramp=5))
    return Plan(tuple(phases), tuple(sets))


PLANS: dict[str, PlanFn] = {
    "easy_run": easy_run,
    "tempo_run": tempo_run,
    "track_sprints": track_sprints,
    "hill_sprints": hill_sprints,
    "incline_walk": incline_walk,
    "incline_walk_ciq": incline_walk_fixed,
    "row": row,
    "row_ciq": row,
    "stair": stair,
    "elliptical": elliptical,
    "bike": bike,
    "strength": strength,
}


def plan_for(kind: str, rng: random.Random, athlete: Athlete, seconds: int) -> Plan:
    """Build the plan for a kind and check it fills the duration exactly."""
    if seconds < MIN_SECONDS:
        raise ValueError(f"workouts shorter than {MIN_SECONDS} s are not supported")
    plan = PLANS[kind](rng, athlete, seconds)
    if plan.seconds != seconds or any(p.seconds <= 0 for p in plan.phases):
        raise AssertionError(f"{kind} plan covers {plan.seconds} s instead of {seconds} s")
    return plan
