"""hamflow's own dashboard: one self-contained HTML file per database."""

from .data import AthleteReport, load
from .page import ReportSettings, model_versions, render_report, version_warning

__all__ = ["AthleteReport", "ReportSettings", "load", "model_versions", "render_report", "version_warning"]
