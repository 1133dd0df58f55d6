"""``hamflow explain``: why was this workout called posterior, quad or mixed?"""

from __future__ import annotations

import click

from ..fit import FitResult
from ..ingest.archives import ArchiveReader
from ..ingest.files import InboxError
from ..ingest.members import decode_candidate, resolve_file
from ..model import classify_file
from ..report.explain import file_lines
from .options import command_config


@click.command("explain")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--athlete", "athlete_id", metavar="ID",
              help="Athlete profile to use (default: the one whose device serials match the file).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="hamflow.toml to use (default: $HAMFLOW_CONFIG, else ./hamflow.toml, else built-in).")
@click.option("--reverse-elliptical", is_flag=True,
              help="The elliptical was pedalled backwards (files cannot say so).")
def explain_cmd(file: str, athlete_id: str | None, config_path: str | None, reverse_elliptical: bool) -> None:
    """Classify one FIT file and show why, second by second and as a verdict.

    FILE is a FIT file, or a FIT file inside an archive named ARCHIVE!MEMBER as `hamflow
    inspect` lists it (e.g. export.zip!DI_CONNECT/.../Part1.zip!run.fit, or ride.fit.gz!ride.fit).

    For each session: its segments (pattern, duration, speed, grade, power, intensity, posterior
    and quad load), the time and load per pattern, strength sets if any, then the verdict
    (posterior, quad, mixed or unclassified) with the reasons behind it.

    \b
    Examples:
      hamflow explain sample_fit/ana/2026-10-15-1900-incline_walk.fit
      hamflow explain --athlete ana --config hamflow.toml run.fit
      hamflow explain 'strava/activities/123.fit.gz!123.fit'
    """
    config = command_config(config_path)
    try:
        candidate = resolve_file(file, config.archives)
    except InboxError as exc:
        raise click.ClickException(str(exc)) from exc
    with ArchiveReader(config.archives) as reader:
        result = decode_candidate(candidate, reader)
    if not isinstance(result, FitResult):
        raise click.ClickException(f"{file}: cannot be decoded ({result.reason}): {result.detail}")
    if athlete_id is None:
        athlete_id = config.athlete_for_serial(result.identity.serial_number)
    profile = config.profile(athlete_id)
    classified = classify_file(result, athlete_id=athlete_id, config=config, reverse_elliptical=reverse_elliptical)
    click.echo("\n".join(file_lines(file, classified, athlete_id=athlete_id, profile=profile, config=config)))
