"""Every command of ``hamflow`` is in the README, and every option is explained where a user looks.

The commands are found by walking the click group behind the ``hamflow`` script, so a new command
or option that nobody documented fails here, not in a user's hands.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from hamflow.cli import cli

from ..helpers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def walk(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """(words after ``hamflow``, command) for the group itself and every command under it."""
    yield path, group
    ctx = click.Context(group, info_name="hamflow")
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            yield from walk(command, (*path, name))
        else:
            yield (*path, name), command


COMMANDS = list(walk(cli))


def help_of(path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(cli, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


def in_readme_with(words: tuple[str, ...], flag: str) -> bool:
    """Whether a README line shows ``hamflow <words>`` together with ``flag``."""
    command = " ".join(("hamflow", *words))
    return any(command in line and flag in line for line in README.splitlines())


def test_the_walk_finds_the_commands_a_user_knows() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"inspect", "explain", "ingest", "weeks", "workouts", "sql", "export", "reprocess", "report", "serve"} <= names


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS if p], ids=lambda p: " ".join(p))
def test_every_command_is_named_in_the_readme(path: tuple[str, ...]) -> None:
    assert f"hamflow {' '.join(path)}" in README, f"`hamflow {' '.join(path)}` is not in README.md"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "hamflow" for p, _ in COMMANDS])
def test_every_option_is_explained_in_its_help_or_the_readme(path: tuple[str, ...], command: click.Command) -> None:
    """An option counts as explained when ``--help`` lists it with a description, or when a README
    line shows it with its command."""
    shown = help_of(path)
    unexplained = []
    for param in command.params:
        if not isinstance(param, click.Option):
            continue  # arguments are in the usage line
        for flag in (*param.opts, *param.secondary_opts):
            described = bool(param.help) and not param.hidden and flag in shown
            if not described and not in_readme_with(path, flag):
                unexplained.append(flag)
    assert unexplained == [], f"hamflow {' '.join(path)}: options neither described in --help nor shown in README.md"


def make_dry_run(target: str) -> list[str]:
    """The commands ``make TARGET`` would run from scratch (``-n -B``: print, run nothing)."""
    out = subprocess.run(["make", "-n", "-B", target], cwd=REPO, capture_output=True, text=True, check=True).stdout
    return out.splitlines()


def test_make_demo_installs_what_the_main_job_needs_and_make_test_the_dev_extras() -> None:
    demo = [line for line in make_dry_run("demo") if "pip install" in line and "--upgrade pip" not in line]
    test = [line for line in make_dry_run("test") if "pip install" in line and "-e " in line]
    assert demo and all("[dev]" not in line and line.rstrip().endswith("-e .") for line in demo), demo
    assert any("'.[dev]'" in line for line in test), test


def test_the_readme_explains_the_config_file_explain_and_what_prefect_deploy_needs() -> None:
    assert "cp hamflow.example.toml hamflow.toml" in README and "hamflow explain" in README
    work_pools = README.split("### Work pools", 1)[1].split("\n## ", 1)[0]
    assert "prefect server start" in work_pools and "PREFECT_API_URL" in work_pools
