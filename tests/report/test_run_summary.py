"""The run summary a terminal user and the Prefect artifact read, on a real database."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from hamflow.ingest import IngestOptions, RunReport, ingest
from hamflow.model.config_load import load_config
from hamflow.report.run_summary import run_markdown, run_text

from ..helpers import make_inbox, sample

CONFIG = load_config(None)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> RunReport:
    root = tmp_path_factory.mktemp("summary")
    inbox = make_inbox(root / "inbox", {"ana": [sample("incline_walk")]})
    return ingest([str(inbox)], root / "h.duckdb", CONFIG, IngestOptions(settle_s=0.0))


def latest_week_row(text: str) -> str:
    lines = text.splitlines()
    at = lines.index("latest week with data, per athlete:")
    return lines[at + 3]


@pytest.mark.parametrize(("days_later", "age"), [
    (0, "this week"), (6, "this week"), (7, "last week"), (35, "5 weeks ago"), (3 * 365 + 7, "3 years ago"),
    # The latest week after today's: a device whose clock ran ahead, never "this week".
    (-1, "next week (a clock ahead?)"), (-22, "in 4 weeks (a clock ahead?)"), (-2 * 365 - 7, "in 2 years (a clock ahead?)"),
])
def test_the_latest_week_says_how_old_it_is(report: RunReport, days_later: int, age: str) -> None:
    (week_start,) = {w for _, w in report.weeks}
    monday = datetime.combine(week_start, datetime.min.time(), tzinfo=UTC)
    later = dataclasses.replace(report, finished_at=monday + timedelta(days=days_later, hours=12))
    row = latest_week_row(run_text(later, guidance=[]))
    assert row.split()[:2] == ["ana", str(week_start)] and age in row
    assert f"| {age} |" in run_markdown(later, guidance=[])
