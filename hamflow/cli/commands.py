"""The ``hamflow`` command group: each command lives in its own module; this one groups them."""

from __future__ import annotations

import click

from .. import __version__
from .explain_cmd import explain_cmd
from .ingest_cmd import ingest_cmd, serve_cmd
from .inspect_cmd import inspect_cmd
from .next_cmd import next_cmd
from .read_cmds import athletes_cmd, export_cmd, reprocess_cmd, sql_cmd, weeks_cmd, workouts_cmd
from .report_cmd import report_cmd


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="hamflow")
def cli() -> None:
    """hamflow: how much of your cardio loaded the posterior chain, and how much the quads.

    Reads FIT files from watches and gym machines (rowing ergs, treadmills, stair climbers,
    ellipticals, bikes), classifies every second into movement patterns, and summarises
    posterior-chain and quad load week by week.
    """


COMMANDS = (
    inspect_cmd, explain_cmd, ingest_cmd, weeks_cmd, workouts_cmd, athletes_cmd, sql_cmd, export_cmd, reprocess_cmd, report_cmd,
    next_cmd, serve_cmd,
)
for command in COMMANDS:
    cli.add_command(command)
