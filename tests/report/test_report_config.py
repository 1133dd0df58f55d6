"""The report speaks with the config the rows were made with, and says so when it is not.

Two hill-sprint sessions of the sample month, 69 h apart in one week: under the default 48 h
they are far enough apart, under ``strict_spacing`` (72 h) they are not. The page is read as
written (its text and its embedded chart specs), without a browser.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner, Result

from hamflow.cli import cli
from hamflow.model import DEFAULT_CONFIG, load_config

from ..helpers import SAMPLES

HILL_SPRINTS = [SAMPLES / "ana" / "2026-10-14-1300-hill_sprints.fit", SAMPLES / "ana" / "2026-10-17-1000-hill_sprints.fit"]


@dataclass(frozen=True)
class Page:
    #: The page's header, tags left in.
    header: str
    #: What a reader sees below it: the page between <main> and the embedded data, tags left in.
    text: str
    data: dict[str, Any]
    result: Result


@pytest.fixture(autouse=True)
def no_ambient_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Only --config decides: no $HAMFLOW_CONFIG, no ./hamflow.toml."""
    monkeypatch.delenv("HAMFLOW_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(database made with strict spacing, that config file)."""
    root = tmp_path_factory.mktemp("strict")
    config = root / "strict.toml"
    config.write_text("[weekly]\nstrict_spacing = true\n")
    db = root / "strict.duckdb"
    result = CliRunner().invoke(cli, [
        "ingest", *map(str, HILL_SPRINTS), "--athlete", "ana", "--db", str(db), "--config", str(config),
        "--engine", "local", "--settle", "0",
    ])
    assert result.exit_code == 0, result.output
    return db, config


def write_report(db: Path, out: Path, *extra: str) -> Page:
    result = CliRunner().invoke(cli, ["report", "--db", str(db), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    data = re.search(r'<script type="application/json" id="hamflow-data">(.*?)</script>', html, re.S)
    assert data is not None
    main = html.index("<main>")
    return Page(html[html.index("<header>"):main], html[main:data.start()], json.loads(data.group(1)), result)


def test_rows_made_with_strict_spacing_flag_a_69_hour_gap_and_the_report_says_72_hours(
    strict: tuple[Path, Path], tmp_path: Path
) -> None:
    db, config = strict
    with duckdb.connect(str(db), read_only=True) as con:
        gap, flags = con.execute("SELECT min_hours_between_hard_sessions, flags FROM weekly_posterior_load").fetchone()  # type: ignore[misc]
    assert gap == pytest.approx(69.0) and "sprint_gap_under_48h" in flags  # 69 h < 72 h: flagged
    page = write_report(db, tmp_path / "strict.html", "--config", str(config))
    assert "The closest two hard sessions were 69 h apart; allow at least 72 h." in page.text
    assert "Two sprint or leg-day sessions were less than 72 h apart" in page.text
    assert re.findall(r"(?<!40-)\b48 h", page.text) == []  # only the evidence's "40-48 h" is left
    spacing = page.data["athletes"][0]["charts"]["spacing"]
    assert spacing["title"]["subtitle"].endswith("dashed: 72 h")
    assert [row["y"] for name, rows in spacing["datasets"].items() for row in rows if "y" in row] == [72.0]


def test_the_same_rows_under_the_default_config_would_not_be_flagged(strict: tuple[Path, Path]) -> None:
    """The strict test above is not passing by accident: 69 h is enough under the default 48 h."""
    from hamflow.model.weekly import weekly_table
    from hamflow.store.frames import fetch_frame

    db, config = strict
    with duckdb.connect(str(db), read_only=True) as con:
        workouts = fetch_frame(con, "SELECT * FROM workouts")
    assert "sprint_gap_under_48h" not in weekly_table(workouts, DEFAULT_CONFIG)["flags"][0]
    assert "sprint_gap_under_48h" in weekly_table(workouts, load_config(config))["flags"][0]


def test_the_report_shows_the_rows_model_version_under_the_config_they_were_made_with(
    strict: tuple[Path, Path], tmp_path: Path
) -> None:
    db, config = strict
    version = load_config(config).model_version
    assert version != DEFAULT_CONFIG.model_version
    page = write_report(db, tmp_path / "same.html", "--config", str(config))
    assert f"model {version}" in page.header
    assert page.data["model_version"] == page.data["config_model_version"] == version
    assert 'id="version-warning"' not in page.text and "warning" not in page.result.output


def test_a_config_that_gives_another_model_version_is_called_out_not_mixed_in_silently(
    strict: tuple[Path, Path], tmp_path: Path
) -> None:
    db, _ = strict
    rows_version = load_config(strict[1]).model_version
    page = write_report(db, tmp_path / "other.html")  # no --config: the built-in numbers
    assert f"model {rows_version}" in page.header  # the header names the rows' version ...
    assert page.data["model_version"] == rows_version
    assert page.data["config_model_version"] == DEFAULT_CONFIG.model_version
    warning = re.search(r'id="version-warning">(.*?)</div>', page.text, re.S)
    assert warning is not None  # ... and the page says the config in use differs
    assert rows_version in warning.group(1) and DEFAULT_CONFIG.model_version in warning.group(1)
    assert "warning:" in page.result.stderr and rows_version in page.result.stderr


def test_report_refuses_a_config_it_cannot_read(strict: tuple[Path, Path], tmp_path: Path) -> None:
    db, _ = strict
    bad = tmp_path / "bad.toml"
    bad.write_text("[weekly]\nstrict_spacnig = true\n")
    result = CliRunner().invoke(cli, ["report", "--db", str(db), "--out", str(tmp_path / "x.html"), "--config", str(bad)])
    assert result.exit_code != 0 and "strict_spacnig" in result.output
    assert not (tmp_path / "x.html").exists()


def test_report_reads_the_config_named_by_hamflow_config(
    strict: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, config = strict
    monkeypatch.setenv("HAMFLOW_CONFIG", str(config))
    page = write_report(db, tmp_path / "env.html")
    assert page.data["config_model_version"] == load_config(config).model_version
    assert "allow at least 72 h" in page.text
