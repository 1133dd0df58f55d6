"""Options shared by several commands, so they read the same everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ..report.tables import FORMATS

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
