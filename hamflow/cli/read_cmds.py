"""Read commands: ``weeks``, ``workouts``, ``sql``, ``export``. All open the database read-only
and wait (with backoff) while an ingest holds it, instead of failing on the lock."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, cast

import click
import duckdb
import polars as pl

from ..ingest.reprocess import DEFAULT_BATCH_SAMPLES, reprocess
from ..report.tables import Format, render
from ..store import read
from ..store.connection import StoreError
from ..store.export import export_parquet
from .options import athlete_option, command_config, config_option, db_option, format_option, open_database


def _echo_rows(rows: list[dict[str, Any]], columns: list[str], fmt: str, empty: str) -> None:
    if not rows and fmt == "table":
        click.echo(empty)
        return
    click.echo(render(rows, cast(Format, fmt), columns))


def _echo_frame(frame: pl.DataFrame, fmt: str, empty: str) -> None:
    _echo_rows(frame.to_dicts(), frame.columns, fmt, empty)


@click.command("weeks")
@db_option
@athlete_option
@click.option("--weeks", "n_weeks", default=12, show_default=True, type=click.IntRange(1, 520), help="How many recent weeks per athlete.")
@format_option
def weeks_cmd(db: str, athlete: str | None, n_weeks: int, fmt: str) -> None:
    """The weekly posterior-load table: per athlete and local ISO week (Monday start), the
    workouts, moving minutes, posterior and quad load and share, sprint and leg-day sessions,
    the shortest gap between hard sessions, the acute:chronic ratio of posterior load and the
    flags raised. Weeks without workouts show as zeros.

    \b
    Examples:
      hamflow weeks --athlete ana --weeks 8
      hamflow weeks --format csv > weeks.csv
    """
    with open_database(db, athlete=athlete) as con:
        frame = read.weeks(con, athlete=athlete, n_weeks=n_weeks)
    frame = frame.drop("model_version").with_columns(pl.col(pl.Float64).round(2))
    _echo_frame(frame, fmt, "no weeks yet: run `hamflow ingest` first")


@click.command("workouts")
@db_option
@athlete_option
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Only workouts on or after this local date.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@format_option
def workouts_cmd(db: str, athlete: str | None, since: datetime | None, limit: int, fmt: str) -> None:
    """Workouts newest first, with class (posterior, quad or mixed), dominant movement pattern,
    posterior share and load, sprint efforts and the reasons for the verdict.

    \b
    Examples:
      hamflow workouts --athlete ben --since 2026-10-01
      hamflow workouts --format json | jq '.[0].reasons'
    """
    with open_database(db, athlete=athlete) as con:
        frame = read.workouts(con, athlete=athlete, since=since.date() if since else None, limit=limit)
    _echo_frame(frame, fmt, "no workouts yet: run `hamflow ingest` first")


@click.command("athletes")
@db_option
@athlete_option
@format_option
def athletes_cmd(db: str, athlete: str | None, fmt: str) -> None:
    """Each athlete's thresholds in force now (vmax, threshold running speed, bike and rowing
    threshold power, HRmax): the value, where it came from (config: your hamflow.toml;
    estimated: the athlete's own workouts; default: nothing better yet), and for an estimate
    the workout that set it and what it showed. The whole history is the athlete_thresholds
    table.

    \b
    Examples:
      hamflow athletes
      hamflow athletes --athlete ana --format json
    """
    with open_database(db, athlete=athlete) as con:
        frame = read.athlete_thresholds(con, athlete=athlete)
    _echo_frame(frame, fmt, "no athletes yet: run `hamflow ingest` first")


@click.command("sql")
@click.argument("query")
@db_option
@format_option
def sql_cmd(query: str, db: str, fmt: str) -> None:
    """Run a read-only SQL QUERY against the database.

    The connection is opened read-only: statements that would change the database fail, and so
    does anything that reads or writes other files (COPY ... TO, EXPORT, ATTACH, read_csv,
    extensions).
    Tables: fit_files, workouts, workout_patterns, segments, samples, strength_sets,
    weekly_posterior_load, workout_evidence, athlete_thresholds, ingest_runs; views:
    weekly_last_12, weekly_weeks_back, latest_week_per_athlete, pattern_minutes_weekly,
    recent_workouts, quarantined_files (see the README for every column). Every type a query
    returns prints, INTERVAL and nested types included.

    \b
    Example:
      hamflow sql "SELECT week_start, posterior_share FROM weekly_posterior_load WHERE athlete_id = 'ana'"
    """
    with open_database(db) as con:
        # Read-only protects the database file; read.query switches off access to other files.
        try:
            result = read.query(con, query)
        except duckdb.Error as exc:
            raise click.ClickException(str(exc).splitlines()[0]) from exc
    _echo_rows([dict(zip(result.columns, row, strict=True)) for row in result.rows], result.columns, fmt, "(no rows)")


@click.command("export")
@db_option
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the Parquet files.")
def export_cmd(db: str, out_dir: str) -> None:
    """Export every table and view as Parquet, readable by any Parquet reader (Evidence, pandas,
    polars, Spark, DuckDB) without touching the database file: OUT/<name>/ for each table of the
    README's contract and each view, hive-partitioned by athlete and, where rows belong to a
    week, by year (OUT/samples/athlete_id=ana/year=2026/data_0.parquet), so a year of one
    athlete is one file per table. ingest_runs is one file. Each file holds its rows in a
    fixed order (samples by workout, then second), and the export's memory does not grow with
    the history: it sorts at most a few athlete-years at a time, spilling into OUT beyond 400 MB.

    \b
    Exporting again into the same folder writes only the files whose rows changed since the
    last export there (a new workout, a reprocess, two recordings merged) and removes those of
    partitions that are gone; the rest are left as they are, so a nightly export costs what the
    night changed. The folder's _hamflow_export.json remembers what was written (a row count
    and a hash of the rows per file); without it everything is written again. The files are
    always exactly those a first export would write.

    \b
    Examples:
      hamflow export --out exports/
      duckdb -c "SELECT * FROM read_parquet('exports/weekly_posterior_load/**/*.parquet', hive_partitioning = true)"
    """
    with open_database(db) as con:
        result = export_parquet(con, Path(out_dir))
    for table, n in sorted(result.rows.items()):
        click.echo(f"{table:<24} {n:>9} rows")
    click.echo(f"{result.written} partitions written, {result.unchanged} unchanged, {result.removed} removed under {out_dir}")


@click.command("reprocess")
@db_option
@config_option
@athlete_option
@click.option("--batch-samples", type=click.IntRange(1_000, 100_000_000), default=DEFAULT_BATCH_SAMPLES, show_default=True,
              help="Samples (seconds of workouts) classified and written per transaction, whole workouts each: "
                   "the database is free between two, so a reader or the nightly ingest waits at most one; "
                   "also what the command holds in memory (an athlete-year is about 1.3 million).")
def reprocess_cmd(db: str, config_path: str | None, athlete: str | None, batch_samples: int) -> None:
    """Recompute workouts and weekly summaries from the stored samples, after a change of the
    config (thresholds, p values, athlete profiles) or of the model. The FIT files are not
    needed. Says how many workouts and weekly rows changed.

    It reads the samples once, in a sorted copy next to the database (.<db name>.reprocess,
    removed at the end), and writes in batches of whole workouts, each with its weeks, closing
    the database between them: readers and an ingest get in between two batches, and memory
    stays the same whatever the size of the history. Stopped midway, every workout is either
    as before or recomputed; run it again to finish.

    \b
    Example:
      hamflow reprocess --config hamflow.toml
    """
    config = command_config(config_path)
    with open_database(db, write=True, athlete=athlete):
        pass  # the schema brought up to date and the athlete checked, before the long part
    try:
        result = reprocess(db, config, athlete=athlete, batch_samples=batch_samples)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"recomputed {result.workouts} workouts with model {result.model_version} in {result.batches} batches: "
        f"{result.workouts_changed} workouts changed, {result.weeks_changed} weekly rows changed"
    )
