"""``hamflow explain``: why was this workout called posterior, quad or mixed?"""

from __future__ import annotations

import click

from ..fit import FitDecodeError, read_fit
from ..model import classify_file
from ..report.explain import file_lines
from .options import command_config


@click.command("explain")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--athlete", "athlete_id", metavar="ID",
              help="Athlete profile to use (default: the one whose device serials match the file).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="hamflow.toml to use (default: $HAMFLOW_CONFIG, else ./hamflow.toml, else built-in).")
@click.option("--reverse-elliptical", is_flag=True,
              help="The elliptical was pedalled backwards (files cannot say so).")
def explain_cmd(file: str, athlete_id: str | None, config_path: str | None, reverse_elliptical: bool) -> None:
    """Classify one FIT file and show why, second by second and as a verdict.

    For each session: its segments (pattern, duration, speed, grade, power, intensity, posterior
    and quad load), the time and load per pattern, strength sets if any, then the verdict
    (posterior, quad, mixed or unclassified) with the reasons behind it.

    \b
    Examples:
      hamflow explain sample_fit/ana/2026-10-15-1900-incline_walk.fit
      hamflow explain --athlete ana --config hamflow.toml run.fit
    """
    config = command_config(config_path)
    try:
        result = read_fit(file)
    except FitDecodeError as exc:
        raise click.ClickException(f"{file}: cannot be decoded ({exc.reason}): {exc.detail}") from exc
    if athlete_id is None:
        athlete_id = config.athlete_for_serial(result.identity.serial_number)
    profile = config.profile(athlete_id)
    classified = classify_file(result, athlete_id=athlete_id, config=config, reverse_elliptical=reverse_elliptical)
    click.echo("\n".join(file_lines(file, classified, athlete_id=athlete_id, profile=profile, config=config)))
