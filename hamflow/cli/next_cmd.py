"""``hamflow next``: what to do next, per athlete, from the latest data and the guide's rules."""

from __future__ import annotations

import click

from .options import athlete_option, command_config, config_option, db_option, open_database, parse_now


@click.command("next")
@db_option
@config_option
@athlete_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Lines for people, or json with the same numbers for programs.")
@click.option("--now", "now", default=None, metavar="ISO",
              help="Pretend it is this time (ISO 8601, e.g. 2026-10-30T08:00; without an offset it is each "
              "athlete's local time). Default: the current time.")
def next_cmd(db: str, config_path: str | None, athlete: str | None, fmt: str, now: str | None) -> None:
    """What next, per athlete: sprint and leg-day sessions this week against the guide's maximum,
    the earliest next hard session that keeps the spacing (48 h, 72 h with weekly.strict_spacing),
    incline walks and rows against the guide's 3-4 a week, the posterior share of the last 4 weeks
    against its target band, whether a load spike is building, and one or two suggestions in
    plain words. Times are the athlete's local time. Guidance, not medical advice.

    \b
    Examples:
      hamflow next --athlete ana
      hamflow next --now 2026-10-30T08:00 --format json
    """
    from ..report.guidance import guidance_json, guidance_text, load_guidance

    when = parse_now(now)
    config = command_config(config_path)
    with open_database(db, athlete=athlete) as con:
        items = load_guidance(con, config, when, athlete=athlete)
    click.echo(guidance_json(items) if fmt == "json" else guidance_text(items))
