"""``hamflow report``: the weekly posterior-load dashboard as one HTML file."""

from __future__ import annotations

from pathlib import Path

import click

from .options import athlete_option, command_config, config_option, db_option, open_database, parse_now


@click.command("report")
@db_option
@config_option
@athlete_option
@click.option("--weeks", "n_weeks", default=12, show_default=True, type=click.IntRange(1, 520), help="Weeks per athlete.")
@click.option("--out", "out", default="report.html", show_default=True, type=click.Path(dir_okay=False), help="Where to write the page.")
@click.option("--now", "now", default=None, metavar="ISO", help="The time the \"What next\" panel is for, as for `hamflow next` "
              "(ISO 8601; without an offset each athlete's local time), and the day the age of the latest data "
              "is counted to. Default: the current time.")
def report_cmd(db: str, config_path: str | None, athlete: str | None, n_weeks: int, out: str, now: str | None) -> None:
    """Write the weekly posterior-load dashboard: one self-contained HTML file that opens in any
    browser with no server and no network.

    Per athlete: how old the latest data is (counted to --now); weekly posterior vs quad load
    with the posterior share and its target band; the season (up to 52 weeks, whatever
    --weeks); minutes per movement pattern; sprint sessions per week and the shortest gap
    between hard sessions; the acute:chronic ratio of posterior load (a spike indicator, not an
    injury risk); every weekly flag in words; the last workouts with their class and reasons,
    each also drawn over time (speed, grade, power, heart rate) on a background coloured by
    movement pattern; a short "what this means" for the latest week; and "What next", as
    `hamflow next` shows it. A chart with nothing to draw says why. Several athletes get a
    selector.

    The flags' words and the charts' limits follow the config, as for ingest (give the same
    --config); the page shows the model version the rows were made with and says so, here and on
    the page, when the config gives another.

    \b
    Example:
      hamflow report --db hamflow.duckdb --athlete ana --weeks 16 --out ana.html
    """
    from ..report.data import load
    from ..report.guidance import load_guidance
    from ..report.page import render_report, version_warning

    when = parse_now(now)
    config = command_config(config_path)
    with open_database(db, athlete=athlete) as con:
        athletes = load(con, athlete=athlete, n_weeks=n_weeks)
        guidance = {g.athlete_id: g for g in load_guidance(con, config, when) if athlete is None or g.athlete_id == athlete}
    html = render_report(athletes, database=Path(db).name, config=config, guidance=guidance,
                         today=None if when is None else when.date())
    Path(out).write_text(html, encoding="utf-8")
    warning = version_warning(athletes, config)
    if warning is not None:
        click.echo(f"warning: {warning}", err=True)
    who = ", ".join(a.athlete_id for a in athletes) or "no athletes yet (empty state)"
    click.echo(f"report written to {Path(out).resolve()} ({len(html) / 1e6:.1f} MB; {who})")
