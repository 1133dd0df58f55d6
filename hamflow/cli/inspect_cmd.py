"""``hamflow inspect``: what is in these FIT files, on disk or inside archives?"""

from __future__ import annotations

import click

from ..fit.describe import detail_lines, summary_row
from ..ingest.archives import ArchiveReader
from ..ingest.files import InboxError, discover_inbox, not_fit_text
from ..ingest.members import decode_candidate
from ..report.tables import FORMATS, render
from .options import command_config, config_option


@click.command("inspect")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--summary", is_flag=True, help="One line per file instead of the full view.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Output format of --summary.")
@click.option("--keep-positions", is_flag=True, help="Also decode GPS positions (dropped by default).")
@config_option
def inspect_cmd(paths: tuple[str, ...], summary: bool, fmt: str, keep_positions: bool, config_path: str | None) -> None:
    """Decode FIT files and show what each holds.

    PATHS are FIT files, folders (searched recursively for *.fit in any case), zip archives
    (a Garmin Connect export, nested zips too) and .fit.gz files (a Strava export): a FIT file
    inside an archive is shown as ARCHIVE!MEMBER and read in place, never extracted. For each
    file: the device, its sessions (sport, start, duration, distance, records), which canonical
    columns were found and from which FIT field, where grade can come from (record grade, a
    developer incline field, altitude, or none), the fields present, and any warning; for a file
    that cannot be decoded, the reason code and what it means (bad_archive: a damaged or
    truncated archive; archive_limit: over a limit of [archives] in the config). Files that are
    not FIT (.gpx, .tcx, .csv, ...) are counted by extension under --summary.

    \b
    Examples:
      hamflow inspect ride.fit
      hamflow inspect --summary sample_fit/
      hamflow inspect --summary export.zip               # a Garmin Connect export as downloaded
      hamflow inspect --summary --format csv inbox/ > files.csv
    """
    if fmt != "table" and not summary:
        raise click.UsageError("--format applies to --summary (the full view is text): add --summary")
    config = command_config(config_path)
    try:
        found = discover_inbox(paths, limits=config.archives)
    except InboxError as exc:
        raise click.ClickException(str(exc)) from exc
    if not found.candidates:
        others = f" (not FIT: {not_fit_text(found.not_fit)})" if found.not_fit else ""
        raise click.ClickException(f"no FIT files under {', '.join(paths)}{others}")
    rows = []
    with ArchiveReader(config.archives) as reader:
        for c in found.candidates:
            outcome = decode_candidate(c, reader, keep_positions=keep_positions)
            if summary:
                rows.append(summary_row(c.path, outcome))
            else:
                click.echo("\n".join(detail_lines(c.path, outcome)))
                click.echo()
    if summary:
        click.echo(render(rows, fmt))  # type: ignore[arg-type]
        errors = sum(1 for r in rows if r["kind"] == "error")
        if fmt == "table":
            click.echo(f"\n{len(rows)} files, {errors} could not be decoded")
            if found.not_fit:
                click.echo(f"skipped: not FIT ({found.not_fit_total} files, counted, not read): {not_fit_text(found.not_fit)}")
