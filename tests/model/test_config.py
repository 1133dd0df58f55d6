"""Configuration: defaults, the example file, strict loading, the model version."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from hamflow.model import DEFAULT_CONFIG, ConfigError, load_config, parse_config
from hamflow.model.config import ArchiveLimits, AthleteProfile, GuidanceParams, HamflowConfig, ModelParams, WeeklyParams

EXAMPLE = Path(__file__).resolve().parents[2] / "hamflow.example.toml"


def test_defaults_are_the_model_numbers() -> None:
    m = DEFAULT_CONFIG.model
    assert (m.p.downhill, m.p.walk_flat, m.p.walk_incline, m.p.walk_steep) == (0.25, 0.45, 0.55, 0.65)
    assert (m.p.run_easy, m.p.hsr, m.p.sprint, m.p.hill_sprint) == (0.35, 0.55, 0.75, 0.60)
    assert (m.p.row, m.p.stair, m.p.elliptical, m.p.elliptical_reverse, m.p.bike) == (0.60, 0.50, 0.35, 0.40, 0.30)
    assert (m.p.run_uphill_base, m.p.run_uphill_per_pct, m.p.run_uphill_max) == (0.35, 0.025, 0.65)
    t = m.thresholds
    assert (t.walk_run_speed_mps, t.hsr_vmax_fraction, t.sprint_vmax_fraction) == (2.0, 0.70, 0.90)
    assert (t.hill_sprint_vmax_fraction, t.hill_sprint_sustain_s, t.maxv_vmax_fraction) == (0.75, 5, 0.95)
    assert (t.effort_min_samples, t.downhill_max_grade_pct, t.walk_steep_min_grade_pct) == (2, -5.0, 10.0)
    assert (m.hamstring.exponent, m.hamstring.reference_vmax_fraction) == (2.6, 0.9)
    c = m.classes
    assert (c.posterior_min_share, c.posterior_min_time_fraction, c.quad_max_share) == (0.55, 0.5, 0.40)
    assert c.sprint_session_min_efforts == 3
    w = DEFAULT_CONFIG.weekly
    assert (w.hard_session_gap_h, w.strict_hard_session_gap_h, w.acute_days, w.chronic_days) == (48, 72, 7, 28)
    assert (w.spike_ratio, w.quad_block_max_share, w.quad_block_days, w.maxv_window_days) == (1.5, 0.40, 28, 14)
    a = DEFAULT_CONFIG.default_profile
    assert (a.vmax_mps, a.threshold_speed_mps, a.bike_threshold_power_w, a.rower_threshold_power_w) == (8, 3.6, 200, 180)
    assert (a.hr_max_bpm, a.hr_rest_bpm) == (190, 60)


def test_the_example_file_holds_the_defaults() -> None:
    config = load_config(EXAMPLE)
    assert config.model == DEFAULT_CONFIG.model
    assert config.weekly == DEFAULT_CONFIG.weekly
    assert config.guidance == DEFAULT_CONFIG.guidance
    assert config.archives == DEFAULT_CONFIG.archives
    assert config.default_profile == DEFAULT_CONFIG.default_profile
    assert config.model_version == DEFAULT_CONFIG.model_version
    ana = config.profile("ana")
    assert ana.threshold_speed_mps == 4.3 and ana.vmax_mps == 8.0  # inherited from the default
    assert config.athlete_for_serial(430118562) == "ben"


def test_the_example_file_documents_every_key() -> None:
    text = EXAMPLE.read_text()
    sections = {"athletes.default": AthleteProfile, "weekly": WeeklyParams, "guidance": GuidanceParams,
                "archives": ArchiveLimits}
    for f in dataclasses.fields(ModelParams):
        sections[f"model.{f.name}"] = type(getattr(ModelParams(), f.name))
    for section, cls in list(sections.items()):  # nested tables, e.g. [model.quality.on_foot]
        for f in dataclasses.fields(cls):
            if dataclasses.is_dataclass(getattr(cls(), f.name)):
                sections[f"{section}.{f.name}"] = type(getattr(cls(), f.name))
    for section, cls in sections.items():
        header = f"\n[{section}]\n"
        assert header in text, section
        body = text.split(header, 1)[1].split("\n[", 1)[0]
        for f in dataclasses.fields(cls):
            if f"[{section}.{f.name}]" in text:
                continue
            assert re.search(rf"^#?\s*{f.name}\s*=", body, re.MULTILINE), f"{section}.{f.name}"
        assert re.search(r"\[(E|A|O)", body), f"{section} has no source tag"


def test_unknown_keys_are_errors_with_the_key_named() -> None:
    with pytest.raises(ConfigError, match=r"\[model\.p\] unknown key 'walk_stepp'.*walk_steep"):
        parse_config("[model.p]\nwalk_stepp = 0.7\n")
    with pytest.raises(ConfigError, match="unknown key 'modle'"):
        parse_config("[modle.p]\nwalk_steep = 0.7\n")
    with pytest.raises(ConfigError, match=r"athletes\.ana.*unknown key 'vmax'"):
        parse_config("[athletes.ana]\nvmax = 9.0\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[model.p]\nwalk_steep = 'high'\n", "expected a number"),
        ("[model.thresholds]\neffort_min_samples = 2.5\n", "expected a whole number"),
        ("[model.p]\nbike = 1.5\n", "between 0 and 1"),
        ("[model.p]\nwalk_incline = 0.7\n", "must not fall as grade rises"),
        ("[athletes.a]\nhr_max_bpm = 50.0\n", "hr_max_bpm must exceed"),
        ("[athletes.a]\ntimezone = 'Mars/Olympus'\n", "not an IANA time zone"),
        ("[athletes.a]\nsex = 'other'\n", "is not one of"),
        ("[weekly]\nstrict_spacing = 1\n", "expected true or false"),
        ("not toml at all [", "not valid TOML"),
        ("[guidance]\ntarget_share_low = 0.7\n", "target_share_low <= target_share_high"),
        ("[guidance]\nposterior_sessions_max = 2\n", "posterior_sessions_min <= posterior_sessions_max"),
        ("[archives]\nmax_ratio = 0.5\n", "max_ratio >= 1"),
        ("[archives]\nmax_depth = 1.5\n", "expected a whole number"),
        ("[archives]\nmax_members = 0\n", "max_members >= 1"),
        ("[archives]\nmax_size_mb = 10\n", "unknown key 'max_size_mb'"),
    ],
)
def test_bad_values_are_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(text)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "nope.toml")


def test_athletes_inherit_but_do_not_share_devices() -> None:
    config = parse_config(
        "[athletes.default]\nvmax_mps = 9.0\ndevice_serials = [1]\n[athletes.x]\nhr_max_bpm = 200.0\n"
    )
    x = config.profile("x")
    assert x.vmax_mps == 9.0 and x.hr_max_bpm == 200.0 and x.device_serials == ()
    assert config.profile("unknown") == config.default_profile
    assert config.default_athlete == "default"


def test_model_version_follows_model_numbers_only() -> None:
    base = HamflowConfig()
    assert re.fullmatch(r"2\.0\+[0-9a-f]{8}", base.model_version)
    assert parse_config("").model_version == base.model_version
    assert parse_config("[model.p]\nwalk_steep = 0.65\n").model_version == base.model_version  # same number
    assert parse_config("[model.thresholds]\nhill_sprint_sustain_s = 5\n").model_version == base.model_version
    assert parse_config("[model.p]\nwalk_steep = 0.7\n").model_version != base.model_version
    assert parse_config("[weekly]\nstrict_spacing = true\n").model_version != base.model_version
    athlete = parse_config("[athletes.default]\nvmax_mps = 9.5\n")
    assert athlete.model_version == base.model_version
    assert parse_config("[guidance]\ntarget_share_low = 0.5\n").model_version == base.model_version
    assert athlete.profile_fingerprint(None) != base.profile_fingerprint(None)
    # Archive limits say what may be read, not how it is judged: no stored row depends on them.
    assert parse_config("[archives]\nmax_ratio = 50.0\n").model_version == base.model_version


def test_archive_limits_are_read_from_their_own_table() -> None:
    limits = parse_config("[archives]\nmax_total_mb = 1.5\nmax_depth = 2\n").archives
    assert limits == ArchiveLimits(max_total_mb=1.5, max_depth=2)
    assert limits.max_total_bytes == 1_572_864


def test_a_config_with_athletes_survives_pickling_for_a_pool_worker_unchanged() -> None:
    """The flow sends the config to its worker processes with the standard pickle, which cannot
    pickle the read-only mappings the loader builds; the copy keeps them read-only."""
    import pickle
    from types import MappingProxyType

    config = parse_config("[athletes.ana]\nvmax_mps = 9.0\ndevice_serials = [3911]\n")
    copy = pickle.loads(pickle.dumps(config))
    assert copy == config and copy.model_version == config.model_version
    assert copy.configured_keys("ana") == config.configured_keys("ana") != frozenset()
    assert copy.athlete_for_serial(3911) == "ana"
    assert isinstance(copy.athletes, MappingProxyType) and isinstance(copy.configured, MappingProxyType)
