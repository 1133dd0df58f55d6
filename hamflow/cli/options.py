"""Options shared by several commands, so they read the same everywhere."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, ClassVar

import click
import duckdb

from ..model import ConfigError, HamflowConfig, load_config
from ..model.config_load import find_config
from ..report.tables import FORMATS
from ..store import read
from ..store.connection import StoreError, connection
from ..store.schema import ensure_schema, require_schema

db_option = click.option(
    "--db", "db", type=click.Path(dir_okay=False), envvar="HAMFLOW_DB", default="hamflow.duckdb",
    show_default=True, help="The hamflow database file (or set HAMFLOW_DB).",
)
format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
    help="Aligned table for people, csv or json for programs.",
)
config_option = click.option(
    "--config", "config_path", type=click.Path(exists=True, dir_okay=False), envvar="HAMFLOW_CONFIG",
    default=None, help="hamflow.toml with athlete profiles and model numbers (or set HAMFLOW_CONFIG; "
    "default: ./hamflow.toml if present, else the documented defaults).",
)
athlete_option = click.option("--athlete", default=None, help="Only this athlete.")


def compose(*decorators: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def apply(func: Any) -> Any:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


def command_config(config_path: str | None) -> HamflowConfig:
    """The config a command runs with (``--config``, HAMFLOW_CONFIG, ./hamflow.toml or the
    defaults); a bad file is a one-line error, not a traceback."""
    try:
        return load_config(find_config(config_path))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def parse_now(now: str | None) -> datetime | None:
    """A ``--now`` option's time (None: the current time); not ISO 8601 is a usage error."""
    if now is None:
        return None
    try:
        return datetime.fromisoformat(now)
    except ValueError as exc:
        raise click.BadParameter(f"{now!r} is not an ISO 8601 time, e.g. 2026-10-30T08:00", param_hint="--now") from exc


@contextmanager
def open_database(db: str, *, write: bool = False, athlete: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The database for one command: read-only and required to hold hamflow data, or (``write``)
    writable with its schema brought up to date. Waits while another process holds the lock;
    any store error, raised opening it or while the command uses it, is a one-line error.

    ``athlete`` (a command's ``--athlete``) must be one the database knows: a typo would
    otherwise read as "no data yet", which is a different and wrong answer.
    """
    try:
        with connection(db, read_only=not write) as con:
            if write:
                ensure_schema(con)
            else:
                require_schema(con)
            if athlete is not None:
                read.require_athlete(con, athlete)
            yield con
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc


class Duration(click.ParamType[timedelta]):
    """A length of time written as a number and a unit: ``90s``, ``15m``, ``6h``, ``1d`` (a bare
    number is seconds), rounded to whole seconds."""

    name = "duration"
    _UNITS: ClassVar[dict[str, int]] = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    _LONGEST_S: ClassVar[int] = 365 * 86400

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> timedelta:
        if isinstance(value, timedelta):
            return value
        text = str(value).strip().lower()
        number, unit = (text[:-1], text[-1]) if text[-1:] in self._UNITS else (text, "s")
        try:
            seconds = float(number) * self._UNITS[unit]
        except ValueError:
            self.fail(f"{value!r} is not a duration: write a number and s, m, h or d, e.g. 15m", param, ctx)
        if not 1 <= seconds <= self._LONGEST_S:
            self.fail(f"{value!r} is not a duration between 1 second and 365 days", param, ctx)
        return timedelta(seconds=round(seconds))
