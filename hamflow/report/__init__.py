"""What hamflow shows people: the offline dashboard (:func:`load`, :func:`render_report`: one
self-contained HTML file per database), the run summary (:mod:`.run_summary`), what next per
athlete (:mod:`.guidance`, for ``hamflow next``; its rules are :mod:`hamflow.model.guidance`), one file's
explanation (:mod:`.explain`), terminal tables (:mod:`.tables`) and the model's sensitivity
table (:mod:`.sensitivity`)."""

from .data import AthleteReport, load
from .page import model_versions, render_report, version_warning

__all__ = ["AthleteReport", "load", "model_versions", "render_report", "version_warning"]
