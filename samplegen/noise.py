"""Random and filtering primitives shared by the signal builders.

Everything here uses only ``random.Random`` plus IEEE additions,
multiplications and square roots.  Those operations are exactly rounded on
every platform, so a given seed yields the same floats everywhere and the
encoded FIT files stay byte-identical across machines.  (``random.gauss``
goes through ``log``/``cos`` from the C maths library, whose last bit may
differ between platforms, so it is deliberately avoided.)
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

_SQRT3 = math.sqrt(3.0)


def bell(rng: random.Random) -> float:
    """Return a zero-mean, unit-variance, bell-shaped random number.

    The sum of four uniforms is close enough to a normal distribution for
    sensor noise, and its tails are bounded (|x| <= 2*sqrt(3) ~ 3.46).  The
    bound matters: it guarantees, for instance, that a sprint plateau with
    speed noise never dips below the sprint threshold by accident.
    """
    total = rng.random() + rng.random() + rng.random() + rng.random()
    return (total - 2.0) * _SQRT3


def white(rng: random.Random, n: int, sd: float) -> list[float]:
    """Independent noise for sensors whose errors do not persist (e.g. barometer LSB)."""
    return [sd * bell(rng) for _ in range(n)]


def ar1(rng: random.Random, n: int, sd: float, rho: float) -> list[float]:
    """First-order autoregressive noise with stationary standard deviation ``sd``.

    Real sensor errors wander (GPS drift, stride-to-stride speed changes), so
    consecutive samples are correlated by ``rho`` rather than independent.
    The first sample is drawn from the stationary distribution so there is
    no warm-up transient.
    """
    if n <= 0:
        return []
    step_sd = sd * math.sqrt(1.0 - rho * rho)
    out = [sd * bell(rng)]
    for _ in range(n - 1):
        out.append(rho * out[-1] + step_sd * bell(rng))
    return out


def random_walk(rng: random.Random, n: int, step_sd: float) -> list[float]:
    """Cumulative noise, used for slow barometric drift (weather, temperature)."""
    out: list[float] = []
    level = 0.0
    for _ in range(n):
        level += step_sd * bell(rng)
        out.append(level)
    return out


def lag(targets: Sequence[float], tau_up: float, tau_down: float, start: float) -> list[float]:
    """Discrete first-order response to ``targets`` with separate rise/fall constants.

    Heart rate and trainer flywheels do not jump to a new level; they
    approach it exponentially.  Heart rate also rises faster than it
    recovers, hence the two time constants (in seconds, at 1 Hz).
    """
    up = 1.0 / (tau_up + 1.0)
    down = 1.0 / (tau_down + 1.0)
    level = start
    out: list[float] = []
    for target in targets:
        gain = up if target > level else down
        level += (target - level) * gain
        out.append(level)
    return out


def cumulative(values: Sequence[float], start: float = 0.0) -> list[float]:
    """Running sum; distance from per-second speed, altitude from climb rate."""
    out: list[float] = []
    total = start
    for value in values:
        total += value
        out.append(total)
    return out


def cbrt(x: float) -> float:
    """Cube root by Newton iteration (platform-exact, unlike ``x ** (1/3)``).

    Needed to turn ergometer power into speed, which goes with the cube root.
    """
    if x <= 0.0:
        return 0.0
    guess = 1.0 + x / 3.0 if x < 8.0 else x / 20.0 + 2.0
    for _ in range(40):
        nxt = (2.0 * guess + x / (guess * guess)) / 3.0
        if abs(nxt - guess) <= 1e-12 * nxt:
            return nxt
        guess = nxt
    return guess


def clamp(value: float, low: float, high: float) -> float:
    """Keep a value inside a physical range (speeds >= 0, HR <= max...)."""
    return low if value < low else high if value > high else value
