"""``hamflow ingest`` and ``hamflow serve``: bring FIT files into the database, now or nightly.

The library never imports Prefect; these commands load the flows in ``hamflow_flows`` only when
they run, and ``--engine local`` ingests without Prefect at all.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import click

from ..ingest import IngestError, IngestOptions, RunReport, has_new_files, ingest
from ..ingest.prepare import DEFAULT_MAX_FILE_BYTES
from ..report.run_summary import run_text
from .options import Duration, command_config, config_option, db_option


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on a terminal; nothing when output is piped or in CI."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress("decoding and classifying", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True) as bar:
        task = bar.add_task("files", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _quiet_prefect(verbose: bool) -> None:
    # The run's logs go to the Prefect server (its UI shows each quarantined file); on the
    # terminal the run summary says the same, so Prefect's console stays quiet unless asked.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # Prefect gives its temporary server 20 s to start; a first run (database migrations) on a
    # busy 2-core machine was seen to need more, and failing the whole ingest for it helps no one.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@db_option
@config_option
@click.option("--athlete", default=None, help="Athlete of every file (else: inbox folder, device serial in the config, 'default').")
@click.option("--engine", type=click.Choice(["prefect", "local"]), default="prefect", show_default=True,
              help="prefect: the ingest flow, parallel, logged, with an artifact. local: this process only, no Prefect.")
@click.option("--task-runner", type=click.Choice(["process", "dask"]), default="process", show_default=True,
              help="Where the prefect engine decodes: a process pool here, or a Dask cluster.")
@click.option("--dask-address", default=None, metavar="tcp://HOST:PORT", help="Existing Dask scheduler (default: a local cluster).")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Worker processes of the prefect engine, or threads of --engine local (default: one per core; "
              "local: at most 4). --workers 1 with --engine local prepares one batch at a time, in the least memory.")
@click.option("--settle", "settle_s", type=float, default=1.0, show_default=True,
              help="Seconds to watch new files for growth; growing files wait for the next run.")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=8, show_default=True,
              help="Files per decode task.")
@click.option("--write-samples", type=click.IntRange(0), default=IngestOptions.write_samples, show_default=True,
              help="Each write transaction takes decoded batches until it holds this many samples "
              "(seconds of recording), or the run has none left; 0: one transaction per batch. "
              "Fewer transactions cost less; each one locks the database for other processes while it runs.")
@click.option("--max-file-mb", type=click.FloatRange(0, min_open=True), default=DEFAULT_MAX_FILE_BYTES / 2**20, show_default=True,
              help="Files larger than this are quarantined (reason too_large) without being read.")
@click.option("--always-flow", is_flag=True,
              help="Run the Prefect flow even when no file is new (by default an unchanged inbox is "
              "recorded without starting Prefect, in under a second).")
@click.option("-v", "--verbose", is_flag=True, help="Show Prefect's logs.")
def ingest_cmd(paths: tuple[str, ...], db: str, config_path: str | None, athlete: str | None, engine: str,
               task_runner: str, dask_address: str | None, workers: int | None, settle_s: float,
               batch_size: int, write_samples: int, max_file_mb: float, always_flow: bool, verbose: bool) -> None:
    """Ingest FIT files, inbox folders and archives into the database.

    Files already in the database (same bytes, under any name) are skipped without being decoded.
    An inbox folder holds one sub-folder per athlete: inbox/ana/*.fit belongs to athlete ana.
    Zip archives (a Garmin Connect export, zips inside zips too) and .fit.gz files (a Strava
    export) are read in place, never extracted: each FIT file in them is a file of its own,
    shown as ARCHIVE!MEMBER, and an archive in inbox/ana/ belongs to ana. A damaged archive is
    quarantined (bad_archive) and the FIT files before the damage are kept; one over the limits
    of [archives] in the config is quarantined (archive_limit) and looked at again each run.
    Files that are not FIT (.gpx, .tcx, .csv, ...) are counted by extension in the summary.
    A file that cannot be decoded is quarantined with its reason and reported; it never fails
    the run, and it is not retried until its bytes change (files too large, unreadable or changing
    while read are looked at again each run). The command exits non-zero only when
    it cannot do its job: a path is missing, or the database cannot be written.

    \b
    Examples:
      hamflow ingest inbox/                         # nightly inbox, one folder per athlete
      hamflow ingest ~/Downloads/row.fit --athlete ana
      hamflow ingest ~/Downloads/export.zip --athlete ana   # a Garmin Connect export as downloaded
      hamflow ingest inbox/ --task-runner dask --dask-address tcp://10.0.0.5:8786
    """
    _require_engine_options(click.get_current_context(), engine)
    # Absolute before they leave this process: a worker (a Dask worker above all) runs
    # elsewhere, in another working directory.
    paths = tuple(os.path.abspath(p) for p in paths)
    config = command_config(config_path)
    options = IngestOptions(athlete=athlete, settle_s=settle_s, batch_size=batch_size, write_samples=write_samples,
                            max_file_bytes=int(max_file_mb * 2**20))
    try:
        # Before Prefect starts: a missing path or an empty folder is an error at once, and an
        # inbox whose every file is known by path, size and mtime needs no scheduler.
        if engine == "prefect" and not has_new_files(paths, db, config.archives) and not always_flow:
            engine = "local"
        with _progress(sys.stderr.isatty()) as hook:
            if engine == "local":
                report = ingest(list(paths), db, config, options, progress=hook, threads=workers)
            else:
                report = _run_flow(list(paths), db, config_path, options, task_runner, dask_address, workers, verbose, hook)
    except IngestError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(run_text(report, config=config))
    click.echo(f"\ndatabase: {os.path.abspath(db)}  (query it: hamflow weeks --db {db}; hamflow sql \"...\" --db {db})")


#: Options that only the prefect engine reads: given with ``--engine local`` they would be ignored.
_PREFECT_ONLY = ("task_runner", "dask_address", "always_flow", "verbose")


def _require_engine_options(ctx: click.Context, engine: str) -> None:
    """Every option given must apply: a user asking for Dask must not get a local run silently."""
    given = [name for name in _PREFECT_ONLY
             if ctx.get_parameter_source(name) not in (None, click.core.ParameterSource.DEFAULT)]
    if engine == "local" and given:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise click.UsageError(f"{flags}: for --engine prefect only (--engine local runs everything in this process)")
    if ctx.params.get("dask_address") and ctx.params.get("task_runner") != "dask":
        raise click.UsageError("--dask-address needs --task-runner dask")


def _run_flow(paths: list[str], db: str, config_path: str | None, options: IngestOptions, task_runner: str,
              dask_address: str | None, workers: int | None, verbose: bool,
              progress: Callable[[int, int], None] | None) -> RunReport:
    _quiet_prefect(verbose)
    from hamflow_flows.server import ServerProcess, temporary_server_likely  # imports no Prefect

    # Importing Prefect takes seconds of CPU, and so does starting its server: started first, the
    # server comes up on the other core meanwhile.
    early = ServerProcess(scheduling=False) if temporary_server_likely() else None
    try:
        with warnings.catch_warnings():
            # Prefect warns on import when it cannot create its home; check_prefect says it better.
            warnings.filterwarnings("ignore", message="Failed to create the Prefect home")
            from hamflow_flows.startup import PrefectUnavailable, check_prefect, temporary_server

        try:
            check_prefect()
            with temporary_server(early) as ready:
                from hamflow_flows import flows  # imported while the temporary server starts

                runner = flows.dask_task_runner(dask_address, workers) if task_runner == "dask" else flows.default_task_runner(workers)
                flows.progress_hook = progress
                try:
                    with ready():
                        return flows.run_ingest(paths, db, options, config_path=config_path, task_runner=runner)
                finally:
                    flows.progress_hook = None
        except PrefectUnavailable as exc:
            raise IngestError(str(exc)) from exc
    finally:
        if early is not None:
            early.stop()  # already stopped on the way out of temporary_server: stopping twice is harmless


@click.command("serve")
@click.option("--inbox", required=True, type=click.Path(file_okay=False, exists=True), help="Inbox folder, one sub-folder per athlete.")
@db_option
@config_option
@click.option("--cron", default=None, help="When to run, as a cron expression  [default: 0 3 * * *, 3 am every day].")
@click.option("--every", type=Duration(), default=None,
              help="Run at this interval instead of on a cron expression: 90s, 15m, 6h, 1d.")
@click.option("--timezone", default=None, help="IANA time zone of the schedule, e.g. Europe/Berlin (default: UTC).")
@click.option("--settle", "settle_s", type=float, default=5.0, show_default=True, help="Seconds to watch new files for growth.")
@click.option("-v", "--verbose", is_flag=True, help="Show Prefect's logs.")
def serve_cmd(inbox: str, db: str, config_path: str | None, cron: str | None, every: timedelta | None, timezone: str | None,
              settle_s: float, verbose: bool) -> None:
    """Serve the nightly ingest: run it on a schedule until Ctrl-C or SIGTERM.

    The schedule is a cron expression (--cron, 3 am by default) or an interval (--every, for an
    inbox that watches and gyms sync into all day). Uses the Prefect server in PREFECT_API_URL
    when one is configured; otherwise starts a local Prefect server on 127.0.0.1 and stops it on
    exit. A missed night is caught up by the next run; two runs at once wait for each other on
    the database lock.

    \b
    Examples:
      hamflow serve --inbox /data/inbox --db /data/hamflow.duckdb --cron "0 3 * * *" --timezone Europe/Berlin
      hamflow serve --inbox /data/inbox --db /data/hamflow.duckdb --every 15m
    """
    if cron is not None and every is not None:
        raise click.UsageError("--cron and --every: give one schedule")
    _quiet_prefect(verbose)
    from hamflow_flows.serve import ServeError, serve_nightly
    from hamflow_flows.startup import PrefectUnavailable, check_prefect

    try:
        check_prefect()
        serve_nightly(inbox=inbox, db=db, cron=cron, every=every, timezone=timezone,
                      config_path=config_path, settle_s=settle_s)
    except (ServeError, PrefectUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
