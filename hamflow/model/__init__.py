"""The movement model: every second hip-extension- or quad-dominant, weighed by its load.

Public entry points: :func:`classify_session`, :func:`classify_file`, :func:`reclassify`
(per workout), :func:`weekly_table` (per athlete-week), :func:`load_config`. The rules and
numbers are described in docs/model.md.
"""

from .classify import SAMPLE_COLUMNS, ClassifiedSession, classify_file, classify_session, reclassify
from .config import DEFAULT_CONFIG, AthleteProfile, HamflowConfig, ModelParams, WeeklyParams
from .config_load import ConfigError, load_config, parse_config
from .patterns import Pattern
from .summary import PatternTotal, WorkoutClass, WorkoutSummary
from .weekly import WEEKLY_SCHEMA, local_start, local_week_start, weekly_table

__all__ = [
    "DEFAULT_CONFIG",
    "SAMPLE_COLUMNS",
    "WEEKLY_SCHEMA",
    "AthleteProfile",
    "ClassifiedSession",
    "ConfigError",
    "HamflowConfig",
    "ModelParams",
    "Pattern",
    "PatternTotal",
    "WeeklyParams",
    "WorkoutClass",
    "WorkoutSummary",
    "classify_file",
    "classify_session",
    "load_config",
    "local_start",
    "local_week_start",
    "parse_config",
    "reclassify",
    "weekly_table",
]
