"""The sensitivity script on a few sample files."""

from __future__ import annotations

import polars as pl
import pytest

from hamflow.model import DEFAULT_CONFIG
from hamflow.report.sensitivity import PARAMETERS, Workout, markdown, sensitivity_table, with_shares

from ..conftest import SampleFile


def test_shares_move_within_bounds() -> None:
    moved = with_shares(DEFAULT_CONFIG, ("run_uphill_base", "run_uphill_max"), 0.1)
    assert moved.model.p.run_uphill_base == pytest.approx(0.45)
    assert moved.model.p.run_uphill_max == pytest.approx(0.75)
    assert with_shares(DEFAULT_CONFIG, ("sprint",), 0.3).model.p.sprint == 1.0
    assert moved.model_version != DEFAULT_CONFIG.model_version


def test_table_on_two_weeks_of_ben(month: dict[str, SampleFile]) -> None:
    chosen = [f for f in month.values() if f.entry["athlete"] == "ben" and f.entry["path"] < "ben/2026-10-12"]
    workouts = [
        Workout("ben", f.result.utc_offset_min, f.entry["tz"], f.result.sets, c)
        for f in chosen if f.result.status == "ok" for c in f.classified
    ]
    table = sensitivity_table(workouts, DEFAULT_CONFIG)
    assert table.height == 1 + 2 * len(PARAMETERS)
    rows = {r["p moved"]: r for r in table.iter_rows(named=True)}
    week = "ben 2026-10-05"
    # ben's first week has a row: moving the row share moves the week, the stair share does not
    assert rows["ROW +0.1"][week] > 0 > rows["ROW -0.1"][week]
    assert rows["STAIR +0.1"][week] == 0.0
    assert rows["RUN_EASY +0.1"]["classes changed"] >= 1
    text = markdown(table)
    assert text.splitlines()[0].startswith("| p moved | ben 2026-10-05 |")
    assert isinstance(table, pl.DataFrame)
