"""Reading ``hamflow.toml`` into a :class:`~hamflow.model.config.HamflowConfig`.

A typo in a config file must not silently leave a default in place, so every unknown table or
key is an error that names the key and lists the ones that exist. Values are checked for type
and range here too, once, so the model code can trust them.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
import types
import typing
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, get_args, get_origin

from .config import (
    DEFAULT_ATHLETE,
    ArchiveLimits,
    AthleteProfile,
    GuidanceParams,
    HamflowConfig,
    ModelParams,
    WeeklyParams,
)


class ConfigError(ValueError):
    """The configuration file cannot be used; the message says where and why."""


#: Environment variable naming the config file when none is given on the command line.
CONFIG_ENV = "HAMFLOW_CONFIG"
#: File looked for in the working directory when neither is given.
CONFIG_NAME = "hamflow.toml"


def find_config(explicit: str | Path | None = None) -> Path | None:
    """The config file to use: ``explicit``, else ``$HAMFLOW_CONFIG``, else ``./hamflow.toml``
    when it exists, else None (built-in defaults)."""
    if explicit is not None:
        return Path(explicit)
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return Path(from_env)
    local = Path.cwd() / CONFIG_NAME
    return local if local.is_file() else None


def load_config(path: str | Path | None = None) -> HamflowConfig:
    """Load ``path`` (a ``hamflow.toml``); ``None`` gives the built-in defaults.

    Raises :class:`ConfigError` for unreadable files, TOML syntax errors, unknown keys, wrong
    types and out-of-range values.
    """
    if path is None:
        return HamflowConfig()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror or exc}") from exc
    return parse_config(text, source=str(path))


def parse_config(text: str, *, source: str = "hamflow.toml") -> HamflowConfig:
    """Parse the TOML ``text`` of a config file (see :func:`load_config`)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    _check_keys(doc, {"model", "weekly", "guidance", "archives", "athletes"}, source, "")
    model = _build(ModelParams, doc.get("model", {}), f"{source}: model")
    weekly = _build(WeeklyParams, doc.get("weekly", {}), f"{source}: weekly")
    guidance = _build(GuidanceParams, doc.get("guidance", {}), f"{source}: guidance")
    archives = _build(ArchiveLimits, doc.get("archives", {}), f"{source}: archives")
    athletes_doc = doc.get("athletes", {})
    if not isinstance(athletes_doc, dict):
        raise ConfigError(f"{source}: 'athletes' must be a table of [athletes.<id>] tables")
    default_doc = athletes_doc.get(DEFAULT_ATHLETE, {})
    default = _build(AthleteProfile, default_doc, f"{source}: athletes.{DEFAULT_ATHLETE}")
    athletes: dict[str, AthleteProfile] = {}
    configured: dict[str, frozenset[str]] = {}
    for athlete_id, values in athletes_doc.items():
        if athlete_id == DEFAULT_ATHLETE:
            continue
        where = f"{source}: athletes.{athlete_id}"
        if not isinstance(values, dict):
            raise ConfigError(f"{where}: must be a table of profile keys")
        merged = {**default_doc, **values}
        if "device_serials" not in values:
            merged.pop("device_serials", None)  # devices belong to one person: never inherited
        athletes[athlete_id] = _build(AthleteProfile, merged, where)
        configured[athlete_id] = frozenset(values)
    config = HamflowConfig(model, weekly, default, MappingProxyType(athletes), MappingProxyType(configured), guidance, archives)
    _validate(config, source)
    return config


def _check_keys(doc: Mapping[str, Any], known: set[str], source: str, prefix: str) -> None:
    unknown = sorted(set(doc) - known)
    if unknown:
        where = f"{source}: " + (f"[{prefix}] " if prefix else "")
        names = ", ".join(repr(u) for u in unknown)
        raise ConfigError(f"{where}unknown key {names}; known keys: {', '.join(sorted(known))}")


def _build(cls: type, doc: Any, where: str) -> Any:
    """Instantiate dataclass ``cls`` from a TOML table, recursing into nested dataclasses."""
    if not isinstance(doc, dict):
        raise ConfigError(f"{where}: expected a table, got {type(doc).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    section = where.split(": ", 1)[-1]
    _check_keys(doc, set(fields), where.split(": ", 1)[0], section)
    values: dict[str, Any] = {}
    for name, value in doc.items():
        values[name] = _coerce(value, hints[name], f"{where}.{name}")
    return cls(**values)


def _coerce(value: Any, hint: Any, where: str) -> Any:
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _build(hint, value, where)
    origin, args = get_origin(hint), get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None or (isinstance(value, str) and value == "" and type(None) in args):
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(value, inner[0], where)
    if origin is typing.Literal:
        if value not in args:
            raise ConfigError(f"{where}: {value!r} is not one of {', '.join(map(repr, args))}")
        return value
    if origin is tuple:
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list, got {type(value).__name__}")
        return tuple(_coerce(v, args[0], f"{where}[{i}]") for i, v in enumerate(value))
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected a whole number, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {value!r}")
        return value
    raise ConfigError(f"{where}: unsupported setting type {hint!r}")  # pragma: no cover


def _validate(config: HamflowConfig, source: str) -> None:
    """Range checks the types cannot express. Raises :class:`ConfigError` on the first problem."""
    problems: list[str] = []
    m = config.model
    for name, value in dataclasses.asdict(m.p).items():
        if name != "run_uphill_per_pct" and not 0.0 <= value <= 1.0:
            problems.append(f"model.p.{name} = {value} must lie between 0 and 1")
    walking = [m.p.downhill, m.p.walk_flat, m.p.walk_incline, m.p.walk_steep]
    if walking != sorted(walking):
        problems.append(
            "model.p: walking shares must not fall as grade rises "
            "(downhill <= walk_flat <= walk_incline <= walk_steep)"
        )
    t = m.thresholds
    if not t.downhill_max_grade_pct < t.walk_incline_min_grade_pct <= t.walk_steep_min_grade_pct:
        problems.append("model.thresholds: need downhill_max < walk_incline_min <= walk_steep_min grade")
    if not 0 < t.hsr_vmax_fraction <= t.sprint_vmax_fraction <= t.maxv_vmax_fraction:
        problems.append("model.thresholds: need 0 < hsr <= sprint <= maxv vmax fractions")
    if t.effort_min_samples < 1 or t.hill_sprint_sustain_s < 1:
        problems.append("model.thresholds: effort_min_samples and hill_sprint_sustain_s must be >= 1")
    if m.sampling.max_gap_s < 1 or m.sampling.segment_min_s < 1:
        problems.append("model.sampling: max_gap_s and segment_min_s must be >= 1")
    cal = m.calibration
    if cal.vmax_window_s < 1 or cal.threshold_window_s < 1 or cal.hr_max_window_s < 1:
        problems.append("model.calibration: windows must be >= 1 s")
    if not 0 < cal.threshold_fraction <= 1 or cal.vmax_floor_mps <= 0:
        problems.append("model.calibration: need 0 < threshold_fraction <= 1 and vmax_floor_mps > 0")
    dup = m.duplicates
    if not 0 < dup.min_overlap_fraction <= 1 or dup.max_clock_offset_s < 0 or not -1 <= dup.min_alignment_r <= 1:
        problems.append("model.duplicates: need 0 < min_overlap_fraction <= 1, max_clock_offset_s >= 0 "
                        "and -1 <= min_alignment_r <= 1")
    if m.grade.window_m <= 0 or m.grade.rolling_samples < 1:
        problems.append("model.grade: window_m must be > 0 and rolling_samples >= 1")
    if not m.classes.quad_max_share <= m.classes.posterior_min_share:
        problems.append("model.classes: quad_max_share must not exceed posterior_min_share")
    w = config.weekly
    if not 0 < w.acute_days < w.chronic_days:
        problems.append("weekly: need 0 < acute_days < chronic_days")
    g = config.guidance
    if not 0 <= g.posterior_sessions_min <= g.posterior_sessions_max:
        problems.append("guidance: need 0 <= posterior_sessions_min <= posterior_sessions_max")
    if not 0.0 <= g.target_share_low <= g.target_share_high <= 1.0:
        problems.append("guidance: need 0 <= target_share_low <= target_share_high <= 1")
    if g.share_weeks < 1:
        problems.append("guidance: share_weeks must be >= 1")
    a = config.archives
    if a.max_members < 1 or a.max_total_mb <= 0 or a.max_ratio < 1 or a.max_depth < 1:
        problems.append("archives: need max_members >= 1, max_total_mb > 0, max_ratio >= 1 and max_depth >= 1")
    for athlete_id, profile in [(DEFAULT_ATHLETE, config.default_profile), *config.athletes.items()]:
        where = f"athletes.{athlete_id}"
        if profile.hr_max_bpm <= profile.hr_rest_bpm:
            problems.append(f"{where}: hr_max_bpm must exceed hr_rest_bpm")
        for name in ("vmax_mps", "threshold_speed_mps", "bike_threshold_power_w", "rower_threshold_power_w"):
            if getattr(profile, name) <= 0:
                problems.append(f"{where}.{name} must be positive")
        if profile.timezone is not None:
            try:
                zoneinfo.ZoneInfo(profile.timezone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                problems.append(f"{where}.timezone {profile.timezone!r} is not an IANA time zone")
    if problems:
        raise ConfigError(f"{source}: " + "; ".join(problems))
