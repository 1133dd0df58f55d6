"""hamflow's own dashboard: one self-contained HTML file per database."""

from .data import AthleteReport, load
from .page import ReportSettings, render_report

__all__ = ["AthleteReport", "ReportSettings", "load", "render_report"]
