"""``hamflow inspect``: what is in these FIT files?"""

from __future__ import annotations

import click

from ..fit import FitDecodeError, FitResult, read_fit
from ..fit.describe import detail_lines, summary_row
from ..ingest.files import fit_paths as find_fit_files
from ..report.tables import FORMATS, render


@click.command("inspect")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--summary", is_flag=True, help="One line per file instead of the full view.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Output format of --summary.")
@click.option("--keep-positions", is_flag=True, help="Also decode GPS positions (dropped by default).")
def inspect_cmd(paths: tuple[str, ...], summary: bool, fmt: str, keep_positions: bool) -> None:
    """Decode FIT files and show what each holds.

    PATHS are FIT files or folders (searched recursively for *.fit in any case). For each file:
    the device, its sessions (sport, start, duration, distance, records), which canonical
    columns were found and from which FIT field, where grade can come from (record grade, a
    developer incline field, altitude, or none), the fields present, and any warning; for a file
    that cannot be decoded, the reason code and what it means.

    \b
    Examples:
      hamflow inspect ride.fit
      hamflow inspect --summary sample_fit/
      hamflow inspect --summary --format csv inbox/ > files.csv
    """
    if fmt != "table" and not summary:
        raise click.UsageError("--format applies to --summary (the full view is text): add --summary")
    try:
        files = find_fit_files(paths)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    if not files:
        raise click.ClickException(f"no FIT files under {', '.join(paths)}")
    rows = []
    for path in files:
        outcome: FitResult | FitDecodeError
        try:
            outcome = read_fit(path, keep_positions=keep_positions)
        except FitDecodeError as exc:
            outcome = exc
        if summary:
            rows.append(summary_row(str(path), outcome))
        else:
            click.echo("\n".join(detail_lines(str(path), outcome)))
            click.echo()
    if summary:
        click.echo(render(rows, fmt))  # type: ignore[arg-type]
        errors = sum(1 for r in rows if r["kind"] == "error")
        if fmt == "table":
            click.echo(f"\n{len(rows)} files, {errors} could not be decoded")
