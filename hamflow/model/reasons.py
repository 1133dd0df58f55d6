"""Reasons: why a workout got its class, in sentences an athlete can check against memory.

Each reason names the numbers and the rule behind them ("62 % of moving time walking at ≥ 10 %
grade (WALK_STEEP, p = 0.65)"), using the thresholds actually in force, so a changed config
changes the sentences too.
"""

from __future__ import annotations

from .config import AthleteProfile, ModelParams
from .derive import SessionKind
from .grade import GRADE_SOURCE_TEXT
from .intensity import IntensitySource, threshold_hr
from .patterns import SPECS, SPRINTS, UNLOADED, Pattern, describe
from .sports import Activity
from .summary import ClassRule, WorkoutSummary

#: Patterns below this share of loaded moving time are not listed on their own.
MIN_LISTED_SHARE = 0.10
MAX_LISTED_PATTERNS = 3


def _pct(fraction: float) -> str:
    return f"{100.0 * fraction:.0f} %"


def reasons_for(
    summary: WorkoutSummary, kind: SessionKind, model: ModelParams, profile: AthleteProfile
) -> tuple[str, ...]:
    """The reasons of a summary, most important first."""
    out = [_class_reason(summary, kind, model)]
    if kind.recognised:
        out.append(kind.recognised)
    out += _pattern_reasons(summary, kind, model, profile)
    out += _effort_reasons(summary, model, profile)
    out += _signal_reasons(summary, kind, model, profile)
    out += _leg_day_reasons(summary, model)
    return tuple(r for r in out if r)


def _class_reason(s: WorkoutSummary, kind: SessionKind, model: ModelParams) -> str:
    c = model.classes
    b = s.posterior_share
    time_pct = 100.0 * s.posterior_s / s.loaded_s if s.loaded_s > 0 else 0.0
    rule = ClassRule(s.class_rule)
    if rule is ClassRule.SPRINT_SESSION:
        sprint = [t for t in s.patterns if Pattern(t.pattern) in SPRINTS]
        seconds = sum(t.seconds for t in sprint)
        load_share = sum(t.posterior_load for t in sprint) / s.posterior_load if s.posterior_load > 0 else 0.0
        return (
            f"{s.sprint_efforts} sprint efforts (≥ {c.sprint_session_min_efforts} make a sprint session; "
            f"{seconds:.0f} s of sprinting, {_pct(load_share)} of the posterior load): a sprint session "
            f"counts as posterior whatever the easier running around it (balance B = {b:.2f})"
        )
    if rule is ClassRule.BALANCE_AND_TIME:
        return (
            f"balance B = {b:.2f} ≥ {c.posterior_min_share:.2f} and {time_pct:.0f} % of moving time in "
            f"posterior patterns (p ≥ {c.posterior_pattern_min_p:.2f}; needs ≥ "
            f"{_pct(c.posterior_min_time_fraction)}): posterior"
        )
    if rule is ClassRule.POSTERIOR_SHARE_BUT_TIME:
        return (
            f"balance B = {b:.2f} ≥ {c.posterior_min_share:.2f} but only {time_pct:.0f} % of moving time "
            f"in posterior patterns (needs ≥ {_pct(c.posterior_min_time_fraction)}): mixed"
        )
    if rule is ClassRule.QUAD_SHARE:
        return f"balance B = {b:.2f} ≤ {c.quad_max_share:.2f}: quad-dominant"
    if rule is ClassRule.BETWEEN:
        return f"balance B = {b:.2f}, between {c.quad_max_share:.2f} and {c.posterior_min_share:.2f}: mixed"
    if rule is ClassRule.TOO_SHORT:
        return (
            f"only {s.loaded_s:.0f} s of moving time with load (needs ≥ {c.min_loaded_s:.0f} s): "
            f"too short to classify"
        )
    if kind.activity is Activity.STRENGTH:
        return "strength session: lifting carries no cardio load and is not classified second by second"
    if kind.activity is Activity.OTHER:
        sport = "/".join(x for x in (s.sport, s.sub_sport) if x)
        return f"{sport}: this sport carries no lower-limb load in the model, so it is not classified"
    return "no moving data with load: nothing to classify"


def _pattern_reasons(
    s: WorkoutSummary, kind: SessionKind, model: ModelParams, profile: AthleteProfile
) -> list[str]:
    if s.loaded_s <= 0:
        return []
    loaded = [t for t in s.patterns if Pattern(t.pattern) not in UNLOADED and t.seconds > 0]
    loaded.sort(key=lambda t: -t.seconds)
    out: list[str] = []
    for total in loaded[:MAX_LISTED_PATTERNS]:
        share = total.seconds / s.loaded_s
        if share < MIN_LISTED_SHARE and out:
            break
        p_text = f"mean p = {total.mean_p:.2f}" if SPECS[Pattern(total.pattern)].p_varies else f"p = {total.mean_p:.2f}"
        what = describe(total.pattern, model.thresholds, profile.vmax_mps, reverse=kind.reverse_elliptical)
        out.append(f"{_pct(share)} of moving time {what} ({total.pattern}, {p_text})")
    return out


def _effort_reasons(s: WorkoutSummary, model: ModelParams, profile: AthleteProfile) -> list[str]:
    t = model.thresholds
    out = []
    if s.sprint_efforts and s.class_rule != ClassRule.SPRINT_SESSION.value:
        session = " (a sprint session)" if s.is_sprint_session else ""
        out.append(
            f"{s.sprint_efforts} sprint efforts of ≥ {t.effort_min_samples} s ({' or '.join(SPRINTS)}){session}"
        )
    maxv_speed = t.maxv_vmax_fraction * profile.vmax_mps
    if s.maxv_s > 0:
        out.append(f"{s.maxv_s:.0f} s at ≥ {_pct(t.maxv_vmax_fraction)} of vmax ({maxv_speed:.1f} m/s)")
    elif s.high_speed_efforts > 0:
        out.append(
            f"high-speed running but no second at ≥ {_pct(t.maxv_vmax_fraction)} of vmax ({maxv_speed:.1f} m/s)"
        )
    return out


def _signal_reasons(
    s: WorkoutSummary, kind: SessionKind, model: ModelParams, profile: AthleteProfile
) -> list[str]:
    out = []
    if kind.activity is Activity.ON_FOOT:
        out.append(GRADE_SOURCE_TEXT.get(s.grade_source, f"grade source {s.grade_source}"))
    if s.intensity_source == IntensitySource.HEART_RATE.value and s.loaded_s > 0:
        hr_t = threshold_hr(profile, model.intensity)
        out.append(f"intensity from heart rate (threshold {hr_t:.0f} bpm gives IF 1)")
    elif s.intensity_source == IntensitySource.ERG_PACE.value:
        out.append(f"power from the erg's pace (P = {model.intensity.erg_pace_power_coefficient:g} v^3)")
    elif s.intensity_source == IntensitySource.NOMINAL.value:
        out.append(f"no speed, power or heart rate: intensity set to the nominal IF {model.intensity.nominal_if:.2f}")
    return out


def _leg_day_reasons(s: WorkoutSummary, model: ModelParams) -> list[str]:
    rules = model.leg_day
    if s.leg_day_rule == "sprint_session":
        return ["counts as a leg day: sprint session"]
    if s.leg_day_rule == "hard_minutes":
        return [f"counts as a leg day: {s.hard_if_s / 60:.0f} min at IF ≥ {rules.hard_if:.2f}"]
    if s.leg_day_rule == "sustained_session":
        return [
            f"counts as a leg day: session IF {s.session_if:.2f} ≥ {rules.session_if:.2f} "
            f"over {s.loaded_s / 60:.0f} min"
        ]
    if s.leg_day_rule == "lower_body_sets":
        hip = ", ".join(s.set_categories.get("hip_extension", ())) or "-"
        knee = ", ".join(s.set_categories.get("knee_extension", ())) or "-"
        return [
            f"counts as a leg day: {s.hip_extension_sets} hip-extension sets ({hip}) and "
            f"{s.knee_extension_sets} knee-extension sets ({knee})"
        ]
    return []
