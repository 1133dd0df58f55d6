"""``hamflow explain``: why was this workout called posterior, quad or mixed?"""

from __future__ import annotations

from pathlib import Path

import click

from ..fit import FitResult
from ..ingest.archives import ArchiveReader
from ..ingest.files import InboxError
from ..ingest.members import decode_candidate, resolve_file
from ..model import ClassifiedSession, HamflowConfig, classify_file, reclassify
from ..model.duplicates import Recording, Role, roles
from ..model.quality import DeviceTotals
from ..report.explain import file_lines, recording_lines, workout_traces
from .options import command_config


def _decoded(file: str, config: HamflowConfig) -> FitResult:
    """``file`` decoded, a file on disk or a member of an archive (``ARCHIVE!MEMBER``)."""
    try:
        candidate = resolve_file(file, config.archives)
    except InboxError as exc:
        raise click.ClickException(str(exc)) from exc
    with ArchiveReader(config.archives) as reader:
        result = decode_candidate(candidate, reader)
    if not isinstance(result, FitResult):
        raise click.ClickException(f"{file}: cannot be decoded ({result.reason}): {result.detail}")
    return result


def _label(file: str, index: int) -> str:
    return f"{Path(file).name} session {index + 1}"


def _merged(file: str, result: FitResult, classified: list[ClassifiedSession], others: dict[str, list[ClassifiedSession]],
            athlete_id: str | None, config: HamflowConfig) -> tuple[list[ClassifiedSession], list[Role]]:
    """``file``'s sessions merged with the other recordings as the store merges them, and each
    session's role (labels stand in for workout ids)."""
    recordings = [
        Recording(_label(f, cs.summary.session_index), f, cs.summary.start_utc, cs.summary.duration_s, cs.samples)
        for f, sessions in {file: classified, **others}.items() for cs in sessions if cs.summary.start_utc is not None
    ]
    found, frames = roles(recordings, config.model.duplicates)
    out, own_roles = [], []
    for session, cs in zip(result.sessions, classified, strict=True):
        label = _label(file, cs.summary.session_index)
        own_roles.append(found.get(label, Role(label)))
        frame = frames.get(label)
        if frame is not None:
            cs = reclassify(frame, session.sport, session.sub_sport, config, athlete_id=athlete_id, profile=cs.profile,
                            session_index=session.index, start_utc=session.start_utc, elapsed_s=session.elapsed_s,
                            distance_m=session.distance_m, totals=DeviceTotals.of(session))
        out.append(cs)
    return out, own_roles


@click.command("explain")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--athlete", "athlete_id", metavar="ID",
              help="Athlete profile to use (default: the one whose device serials match the file).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="hamflow.toml to use (default: $HAMFLOW_CONFIG, else ./hamflow.toml, else built-in).")
@click.option("--reverse-elliptical", is_flag=True,
              help="The elliptical was pedalled backwards (files cannot say so).")
@click.option("--with", "others", multiple=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="Another recording of the same workout (the watch worn on the treadmill, a second export); "
                   "repeatable. They are merged as the database merges them, and the output says which "
                   "streams came from which file.")
@click.option("--html", "html_out", type=click.Path(dir_okay=False), metavar="OUT",
              help="Also write each session as a self-contained HTML page to OUT: its speed, grade, power and "
                   "heart rate over time on a background coloured by movement pattern, with the verdict and "
                   "its reasons beside, as the report shows a workout. Opens with no server and no network.")
def explain_cmd(file: str, athlete_id: str | None, config_path: str | None, reverse_elliptical: bool,
                others: tuple[str, ...], html_out: str | None) -> None:
    """Classify one FIT file and show why, second by second and as a verdict.

    FILE is a FIT file, or a FIT file inside an archive named ARCHIVE!MEMBER as `hamflow
    inspect` lists it (e.g. export.zip!DI_CONNECT/.../Part1.zip!run.fit, or ride.fit.gz!ride.fit).

    For each session: its segments (pattern, duration, speed, grade, power, intensity, posterior
    and quad load), the time and load per pattern, strength sets if any, then the verdict
    (posterior, quad, mixed or unclassified) with the reasons behind it.

    \b
    With --with, the file is one of several recordings of a workout: the session that counts
    (the primary: the machine's, else the longer) is classified with the streams it lacks taken
    from the others, their clocks aligned first, and a Recordings line says which streams came
    from which file, or that this file's session is the second recording and counts there.

    \b
    Examples:
      hamflow explain sample_fit/ana/2026-10-15-1900-incline_walk.fit
      hamflow explain --athlete ana --config hamflow.toml run.fit
      hamflow explain treadmill.fit --with watch.fit
      hamflow explain 'strava/activities/123.fit.gz!123.fit'
      hamflow explain run.fit --html run.html
    """
    config = command_config(config_path)
    result = _decoded(file, config)
    if athlete_id is None:
        athlete_id = config.athlete_for_serial(result.identity.serial_number)
    profile = config.profile(athlete_id)
    classified = classify_file(result, athlete_id=athlete_id, config=config, reverse_elliptical=reverse_elliptical)
    if not others:
        click.echo("\n".join(file_lines(file, classified, athlete_id=athlete_id, profile=profile, config=config)))
        _write_html(html_out, file, classified, athlete_id, config)
        return
    other = {f: classify_file(_decoded(f, config), athlete_id=athlete_id, config=config) for f in others}
    merged, found = _merged(file, result, classified, other, athlete_id, config)
    lines = file_lines(file, merged, athlete_id=athlete_id, profile=profile, config=config)
    click.echo("\n".join([*lines, "", *recording_lines(found)]))
    _write_html(html_out, file, merged, athlete_id, config)


def _write_html(out: str | None, file: str, classified: list[ClassifiedSession], athlete_id: str | None,
                config: HamflowConfig) -> None:
    """Write the sessions' page to ``out`` (nothing without ``--html``)."""
    if out is None:
        return
    from ..report.page import render_workouts

    html = render_workouts(workout_traces(classified), title=Path(file).name, athlete=athlete_id or "default profile", config=config)
    try:
        Path(out).write_text(html, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from exc
    click.echo(f"\npage written to {Path(out).resolve()} ({len(html) / 1e6:.1f} MB)")
