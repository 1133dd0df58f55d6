"""Intensity factor (IF) per second: how hard the second was relative to the athlete's threshold.

IF 1 is what the athlete can hold for about an hour, so one hour at IF 1 makes a load of 100
(the TSS scale). Where it comes from, best first:

- on foot: grade-adjusted speed / threshold speed, with Minetti et al. 2002 (J Appl Physiol
  93:1039) for the energy cost of running on a grade relative to the flat;
- bike: power / bike threshold power; rower: power / rower threshold power (an erg without a
  power field gets it from its pace, P = 2.80 v^3, the Concept2 relation);
- anything else, or when those signals are missing: heart rate, weighted like Banister's TRIMP
  and scaled so that threshold heart rate gives IF 1 (see :func:`heart_rate_if`);
- nothing at all: a nominal IF (``nominal_if``), so time in a pattern still counts; the
  workout's reasons say so.

Elliptical and stair machines go straight to heart rate: their power numbers (when a console
writes one) have no threshold to compare with.
"""

from __future__ import annotations

import math
from enum import StrEnum

import polars as pl

from .config import AthleteProfile, IntensityParams
from .sports import Activity

#: Minetti 2002, energy cost of running (J/kg/m) as a polynomial in the gradient i = grade/100,
#: highest power first.
MINETTI_RUN: tuple[float, ...] = (155.4, -30.4, -43.3, 46.3, 19.5, 3.6)


class IntensitySource(StrEnum):
    SPEED = "speed"
    POWER = "power"
    ERG_PACE = "erg_pace"
    HEART_RATE = "heart_rate"
    NOMINAL = "nominal"


def minetti_cost(gradient: float) -> float:
    """Energy cost of running (J/kg/m) at ``gradient`` (a fraction: 0.08 for 8 %)."""
    cost = 0.0
    for coefficient in MINETTI_RUN:
        cost = cost * gradient + coefficient
    return cost


def minetti_cost_expr(gradient: pl.Expr) -> pl.Expr:
    """:func:`minetti_cost` as a polars expression."""
    cost: pl.Expr = pl.lit(0.0)
    for coefficient in MINETTI_RUN:
        cost = cost * gradient + coefficient
    return cost


def grade_adjusted_speed(speed: pl.Expr, grade_pct: pl.Expr, limit_pct: float) -> pl.Expr:
    """Speed on the flat that costs as much as ``speed`` up ``grade_pct`` (unknown grade: flat).

    The grade is clamped to +-``limit_pct``, the range Minetti measured.
    """
    gradient = grade_pct.fill_null(0.0).clip(-limit_pct, limit_pct) / 100.0
    return speed * minetti_cost_expr(gradient) / MINETTI_RUN[-1]


def trimp_exponent(profile: AthleteProfile, params: IntensityParams) -> float:
    """Banister's weighting exponent b in ``e^(b * HRr)``: 1.92 men, 1.67 women, else the mean."""
    if profile.sex == "male":
        return params.trimp_b_male
    if profile.sex == "female":
        return params.trimp_b_female
    return (params.trimp_b_male + params.trimp_b_female) / 2.0


def threshold_hr(profile: AthleteProfile, params: IntensityParams) -> float:
    """The athlete's threshold heart rate: their own, else a fixed share of heart-rate reserve."""
    if profile.threshold_hr_bpm is not None:
        return profile.threshold_hr_bpm
    reserve = profile.hr_max_bpm - profile.hr_rest_bpm
    return profile.hr_rest_bpm + params.threshold_hrr_fraction * reserve


def heart_rate_if(hr: pl.Expr, profile: AthleteProfile, params: IntensityParams) -> pl.Expr:
    """IF from heart rate, so that an hour at threshold heart rate is a load of 100.

    Banister's TRIMP counts a minute at heart-rate reserve fraction x as ``x * a * e^(b x)``.
    Load per second is ``IF^2 / 36``, so IF is the square root of that weight divided by its
    value at threshold: ``IF = sqrt(x e^(b x) / (x_t e^(b x_t)))`` (the constant a cancels).
    Heart rate at or below rest gives 0.
    """
    reserve = profile.hr_max_bpm - profile.hr_rest_bpm
    b = trimp_exponent(profile, params)
    x_t = (threshold_hr(profile, params) - profile.hr_rest_bpm) / reserve
    at_threshold = x_t * math.exp(b * x_t)
    x = ((hr - profile.hr_rest_bpm) / reserve).clip(lower_bound=0.0)
    return (x * (b * x).exp() / at_threshold).sqrt()


def heart_rate_if_value(hr: float, profile: AthleteProfile, params: IntensityParams) -> float:
    """:func:`heart_rate_if` for one number (for explanations and tests)."""
    return float(pl.select(heart_rate_if(pl.lit(hr), profile, params)).item())


def descent_if(profile: AthleteProfile, params: IntensityParams) -> pl.Expr:
    """The eccentric floor of IF on a steep descent on foot (null elsewhere).

    Minetti's cost is lowest near -10 to -20 %: metabolically, a steep descent is easy. For the
    quads it is not: braking forces and eccentric knee-extensor work rise with the slope
    (Gottschall & Kram 2005, J Biomech 38:445), and downhill running is what causes
    quad muscle damage and soreness (Eston et al. 1995, J Sports Sci 13:251). Below
    ``-descent_onset_pct`` the IF is at least the flat IF at that speed times
    ``descent_gain_per_pct`` per % of grade beyond the onset, so a steep descent carries load
    that grows with its steepness rather than vanishing.
    """
    beyond = (-pl.col("grade_pct") - params.descent_onset_pct).clip(lower_bound=0.0)
    flat_if = pl.col("speed_mps") / profile.threshold_speed_mps
    return pl.when(beyond > 0).then(flat_if * params.descent_gain_per_pct * beyond)


def intensity_exprs(
    activity: Activity,
    profile: AthleteProfile,
    params: IntensityParams,
    *,
    indoor_erg: bool,
) -> tuple[pl.Expr, pl.Expr]:
    """``(intensity_factor, intensity_source)`` for every second of a session.

    Expects ``speed_mps``, ``grade_pct``, ``power_w`` and ``heart_rate_bpm`` columns.
    """
    speed, power, hr = pl.col("speed_mps"), pl.col("power_w"), pl.col("heart_rate_bpm")
    candidates: list[tuple[pl.Expr, IntensitySource]] = []
    if activity is Activity.ON_FOOT:
        gas = grade_adjusted_speed(speed, pl.col("grade_pct"), params.minetti_grade_limit_pct)
        metabolic = gas / profile.threshold_speed_mps
        candidates.append((pl.max_horizontal(metabolic, descent_if(profile, params)), IntensitySource.SPEED))
    elif activity is Activity.BIKE:
        candidates.append((power / profile.bike_threshold_power_w, IntensitySource.POWER))
    elif activity is Activity.ROW:
        candidates.append((power / profile.rower_threshold_power_w, IntensitySource.POWER))
        if indoor_erg and params.erg_pace_power_coefficient > 0:
            pace_power = params.erg_pace_power_coefficient * speed.pow(3)
            candidates.append((pace_power / profile.rower_threshold_power_w, IntensitySource.ERG_PACE))
    candidates.append((heart_rate_if(hr, profile, params), IntensitySource.HEART_RATE))

    value: pl.Expr = pl.lit(params.nominal_if)
    source: pl.Expr = pl.lit(IntensitySource.NOMINAL.value)
    for expr, name in reversed(candidates):
        value = pl.when(expr.is_not_null()).then(expr).otherwise(value)
        source = pl.when(expr.is_not_null()).then(pl.lit(name.value)).otherwise(source)
    return value.clip(lower_bound=0.0).alias("intensity_factor"), source.alias("intensity_source")
