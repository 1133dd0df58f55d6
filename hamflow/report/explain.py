"""What ``hamflow explain`` prints: each session's segments, verdict and reasons, as lines.

The command only prints these lines, so the same text can be tested, logged or shown elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import polars as pl

from ..model.classify import ClassifiedSession
from ..model.config import AthleteProfile, HamflowConfig
from ..model.duplicates import ARROW, Role
from ..model.grade import GRADE_SOURCE_TEXT
from ..model.patterns import UNLOADED, Pattern
from ..model.sports import Activity, activity_of
from .tables import render
from .workout import WorkoutTrace, trace


def clock(seconds: float) -> str:
    """``h:mm:ss`` or ``m:ss``."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "unknown start"


def segment_rows(segments: pl.DataFrame) -> list[dict[str, object]]:
    """Segments as table rows: pattern, start, duration, speed, grade, power, IF, loads."""
    rows = []
    for s in segments.iter_rows(named=True):
        rows.append(
            {
                "#": s["segment_index"] + 1,
                "pattern": s["pattern"],
                "start": s["start_utc"].strftime("%H:%M:%S"),
                "duration": clock(s["duration_s"]),
                "speed m/s": s["mean_speed_mps"],
                "grade %": s["mean_grade_pct"],
                "power W": s["mean_power_w"],
                "IF": s["mean_if"],
                "posterior": s["posterior_load"],
                "quad": s["quad_load"],
            }
        )
    return rows


def pattern_rows(classified: ClassifiedSession) -> list[dict[str, object]]:
    """Time and load per pattern that carries load (REST and unloaded patterns left out)."""
    rows: list[dict[str, object]] = []
    for t in classified.summary.patterns:
        if Pattern(t.pattern) in UNLOADED or t.seconds <= 0:
            continue
        rows.append(
            {
                "pattern": t.pattern,
                "time": clock(t.seconds),
                "p": t.mean_p,
                "posterior": t.posterior_load,
                "quad": t.quad_load,
            }
        )
    return rows


def _signal_notes(classified: ClassifiedSession, profile: AthleteProfile) -> list[str]:
    """Where grade and intensity came from, and the athlete anchors they were measured against."""
    s = classified.summary
    activity = activity_of(s.sport, s.sub_sport)
    notes = []
    if activity is Activity.ON_FOOT:
        notes.append(GRADE_SOURCE_TEXT.get(s.grade_source, f"grade source {s.grade_source}"))
        notes.append(f"vmax {profile.vmax_mps:g} m/s, threshold speed {profile.threshold_speed_mps:g} m/s")
    elif activity is Activity.BIKE:
        notes.append(f"bike threshold power {profile.bike_threshold_power_w:g} W")
    elif activity is Activity.ROW:
        notes.append(f"rower threshold power {profile.rower_threshold_power_w:g} W")
    if s.intensity_source is not None:
        notes.append(f"intensity from {s.intensity_source.replace('_', ' ')}")
    else:
        notes.append("no load counted")
    return notes


def session_lines(classified: ClassifiedSession, profile: AthleteProfile) -> list[str]:
    """The explanation of one classified session."""
    s = classified.summary
    sport = "/".join(x for x in (s.sport, s.sub_sport) if x)
    distance = f", {s.distance_m / 1000:.2f} km" if s.distance_m else ""
    lines = [
        f"Session {s.session_index + 1}: {sport}, {_when(s.start_utc)}, {clock(s.duration_s)} elapsed, "
        f"{clock(s.moving_s)} moving{distance}",
        "  " + "; ".join(_signal_notes(classified, profile)),
    ]
    if classified.segments.height:
        lines += ["", "  Segments (loads: posterior / quad, one hour at threshold = 100):"]
        lines += ["  " + line for line in render(segment_rows(classified.segments)).splitlines()]
    patterns = pattern_rows(classified)
    if patterns:
        lines += ["", "  Time and load per pattern:"]
        lines += ["  " + line for line in render(patterns).splitlines()]
    if classified.sets.height:
        lines += ["", "  Strength sets:"]
        set_rows = [
            {
                "#": r["set_index"] + 1,
                "categories": ", ".join(r["categories"]),
                "movement": r["movement"],
                "reps": r["repetitions"],
                "kg": r["weight_kg"],
            }
            for r in classified.sets.iter_rows(named=True)
        ]
        lines += ["  " + line for line in render(set_rows).splitlines()]
    share = f"B = {s.posterior_share:.2f}, " if s.posterior_share is not None else ""
    tags = [t for t, on in (("sprint session", s.is_sprint_session), ("leg day", s.is_leg_day),
                            ("incline walk", s.is_incline_walk), ("rowing", s.is_rowing)) if on]
    lines += [
        "",
        f"  Verdict: {s.workout_class.upper()} ({share}posterior {s.posterior_load:.1f} / quad {s.quad_load:.1f})"
        + (f"; {', '.join(tags)}" if tags else ""),
        "  Because:",
    ]
    lines += [f"    - {reason}" for reason in s.reasons]
    if s.quality_warnings:
        lines.append("  data quality:")
        lines += [f"    ! {warning}" for warning in s.quality_warnings]
    return lines


def file_lines(
    path: str,
    classified: list[ClassifiedSession],
    *,
    athlete_id: str | None,
    profile: AthleteProfile,
    config: HamflowConfig,
) -> list[str]:
    """The explanation of every session of one file."""
    who = athlete_id or "default profile"
    lines = [f"{path}  (athlete: {who}; model {config.model_version})"]
    if not classified:
        return [*lines, "  no sessions in this file: nothing to explain"]
    for item in classified:
        lines += ["", *session_lines(item, profile)]
    return lines


def workout_row(classified: ClassifiedSession) -> dict[str, Any]:
    """One session's verdict in the report's workout columns, for ``hamflow explain --html``."""
    s = classified.summary
    return {
        "when": f"Session {s.session_index + 1}, {_when(s.start_utc)}", "sport": s.sport, "sub_sport": s.sub_sport,
        "moving_min": s.moving_s / 60.0, "workout_class": s.workout_class, "dominant_pattern": s.dominant_pattern,
        "posterior_share": s.posterior_share, "posterior_load": s.posterior_load, "quad_load": s.quad_load,
        "reasons": list(s.reasons), "quality_warnings": list(s.quality_warnings),
    }


def workout_traces(classified: Sequence[ClassifiedSession]) -> list[tuple[dict[str, Any], WorkoutTrace]]:
    """Each session's verdict and chart rows, as the report draws a workout."""
    return [(workout_row(c), trace(c.samples, c.segments)) for c in classified]


def recording_lines(found: Sequence[Role]) -> list[str]:
    """Which recording counted for each session, and which streams came from which file."""
    lines = ["Recordings:"]
    for role in found:
        if role.duplicate_of:
            lines.append(f"  {role.workout_id}: a second recording of {role.duplicate_of} (its clock "
                         f"{role.clock_offset_s:+.0f} s from that one's), which counts instead: not counted twice")
        elif role.merged_streams:
            taken = "; ".join(f"{column} from {source}" for column, _, source in (e.partition(ARROW) for e in role.merged_streams))
            lines.append(f"  {role.workout_id}: counts, completed with {taken}; every other stream is its own")
        else:
            lines.append(f"  {role.workout_id}: counts, with its own streams only")
    return lines
