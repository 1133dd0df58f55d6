"""``hamflow reprocess`` reads the samples once and writes whole workouts in bounded batches, and
ends where a fresh ingest of the same files with the new config ends, whatever the batch size."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from hamflow.ingest import IngestOptions, ingest
from hamflow.ingest.reprocess import reprocess
from hamflow.model import DEFAULT_CONFIG, parse_config
from hamflow.store.spool import spool_folder

from ..helpers import SAMPLES, assert_same, make_inbox, snapshot

OPTIONS = IngestOptions(settle_s=0)
TABLES = ("fit_files", "workouts", "samples", "segments", "workout_patterns", "strength_sets", "workout_evidence",
          "athlete_thresholds", "weekly_posterior_load")
#: Moves both athletes' thresholds and the vmax window: most workouts are classified differently.
CHANGED = parse_config("[athletes.ana]\nthreshold_speed_mps = 3.4\n[athletes.ben]\nbike_threshold_power_w = 150\n"
                       "[model.calibration]\nvmax_window_s = 5\n")


def month(per_athlete: int) -> dict[str, list[Path]]:
    """The first good files of each athlete's sample month."""
    return {a: sorted(p for p in (SAMPLES / a).iterdir() if p.suffix == ".fit" and p.stat().st_size > 2000)[:per_athlete]
            for a in ("ana", "ben")}


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_inbox(tmp_path_factory.mktemp("reprocess") / "inbox", month(6))


@pytest.fixture(scope="module")
def fresh(inbox: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    """The tables of an ingest with the changed config from the start."""
    db = tmp_path_factory.mktemp("fresh") / "h.duckdb"
    ingest([inbox], db, CHANGED, OPTIONS)
    return snapshot(db, TABLES)


@pytest.mark.parametrize("batch_samples", [3_000, 10_000_000])
def test_a_reprocess_in_batches_of_any_size_equals_a_fresh_ingest_with_the_new_config(
    inbox: Path, fresh: dict[str, pl.DataFrame], tmp_path: Path, batch_samples: int,
) -> None:
    db = tmp_path / "h.duckdb"
    ingest([inbox], db, DEFAULT_CONFIG, OPTIONS)
    result = reprocess(db, CHANGED, batch_samples=batch_samples)
    n_workouts = fresh["workouts"].height
    assert result.workouts == n_workouts and 0 < result.workouts_changed <= n_workouts and result.weeks_changed > 0
    if batch_samples < 10_000:
        assert result.batches > len(month(6))  # each athlete's history spans several transactions
    else:
        assert result.batches == 1
    assert_same(snapshot(db, TABLES), fresh)
    assert not spool_folder(db).exists()  # the copy of the samples is gone
    again = reprocess(db, CHANGED, batch_samples=batch_samples)
    assert (again.workouts, again.workouts_changed, again.weeks_changed) == (n_workouts, 0, 0)


def test_a_reprocess_of_one_athlete_leaves_the_others_rows_alone(inbox: Path, tmp_path: Path) -> None:
    db = tmp_path / "h.duckdb"
    ingest([inbox], db, DEFAULT_CONFIG, OPTIONS)
    before = snapshot(db, TABLES)
    result = reprocess(db, CHANGED, athlete="ben", batch_samples=3_000)
    after = snapshot(db, TABLES)
    assert result.workouts == before["workouts"].filter(pl.col("athlete_id") == "ben").height
    ana = pl.col("athlete_id") == "ana"
    for table in ("workouts", "weekly_posterior_load", "athlete_thresholds"):
        assert after[table].filter(ana).equals(before[table].filter(ana)), table
    assert not after["workouts"].filter(~ana).equals(before["workouts"].filter(~ana))
