"""Each new workout is classified once, with the thresholds its athlete's whole timeline gives it:
the run learns the timelines (stored candidates, a survey of the new files) before classifying,
so calibration after the writes finds nothing stale."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from hamflow.fit import DECODER_ENV
from hamflow.ingest.files import discover_inbox
from hamflow.ingest.run import IngestOptions, batches, ingest, regrouped
from hamflow.ingest.survey import worth_surveying
from hamflow.model import DEFAULT_CONFIG
from hamflow.store.connection import connection
from tests.calibration_athletes import DAY, T0, flat_sprints, hill_sprints, jog, strides, write

from ..helpers import assert_same, snapshot

OPTIONS = IngestOptions(settle_s=0, batch_size=2)
TABLES = ("fit_files", "workouts", "samples", "segments", "workout_patterns", "weekly_posterior_load",
          "workout_evidence", "athlete_thresholds", "strength_sets")


def _history(folder: Path) -> list[Path]:
    """Five runs of one athlete whose vmax and threshold speed rise along the way."""
    return [
        write(folder, "1-steady", T0, jog(40, speed=3.9)),
        write(folder, "2-strides", T0 + 2 * DAY, strides(top=6.3)),
        write(folder, "3-hills", T0 + 4 * DAY, hill_sprints(speed=5.3)),
        write(folder, "4-tempo", T0 + 6 * DAY, jog(40, speed=4.2)),
        write(folder, "5-flat", T0 + 8 * DAY, flat_sprints(speed=6.8)),
    ]


def _rows(db: Path, sql: str) -> pl.DataFrame:
    with connection(db, read_only=True) as con:
        return con.sql(sql).pl()


def test_a_first_run_of_one_athletes_files_classifies_each_once_as_one_run_per_file_in_reverse_would(tmp_path: Path) -> None:
    files = _history(tmp_path / "files" / "amy")
    together = tmp_path / "together.duckdb"
    first = ingest([tmp_path / "files"], together, DEFAULT_CONFIG, OPTIONS)
    assert first.ok and first.counts.workouts_added == 5
    assert first.counts.workouts_recalibrated == 0
    assert _rows(together, "SELECT workouts_recalibrated FROM ingest_runs").item() == 0
    # The timeline moves inside the run: a worker judging by its own file alone would be wrong.
    estimated = _rows(together, "SELECT metric, count(*) AS n FROM athlete_thresholds WHERE source = 'estimated' GROUP BY metric")
    assert dict(estimated.rows()) == {"vmax_mps": 3, "threshold_speed_mps": 2}  # vmax: the 6.0 floor, 6.3, 6.8

    one_by_one = tmp_path / "one_by_one.duckdb"
    inbox = tmp_path / "inbox" / "amy"
    inbox.mkdir(parents=True)
    recalibrated = 0
    for f in reversed(files):  # newest first: each night's file is dated before every stored one
        shutil.copy(f, inbox / f.name)
        report = ingest([tmp_path / "inbox"], one_by_one, DEFAULT_CONFIG, OPTIONS)
        assert report.ok and report.counts.files_new == 1
        recalibrated += report.counts.workouts_recalibrated
    assert recalibrated > 0  # an earlier file raising stored workouts' thresholds is what calibration is for
    assert_same(snapshot(together, TABLES), snapshot(one_by_one, TABLES))


def test_with_the_reference_decoder_a_first_run_also_classifies_each_workout_once_as_the_default_decoder_would(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _history(tmp_path / "files" / "amy")
    default = tmp_path / "default.duckdb"
    assert ingest([tmp_path / "files"], default, DEFAULT_CONFIG, OPTIONS).counts.workouts_recalibrated == 0
    monkeypatch.setenv(DECODER_ENV, "fitparse")
    reference = tmp_path / "reference.duckdb"
    report = ingest([tmp_path / "files"], reference, DEFAULT_CONFIG, OPTIONS)
    assert report.ok and report.counts.workouts_added == 5
    assert report.counts.workouts_recalibrated == 0  # the survey knew every new workout's candidates
    assert _rows(reference, "SELECT DISTINCT decoder FROM fit_files")["decoder"].to_list() == ["fitparse"]
    tables = tuple(t for t in TABLES if t != "fit_files")  # fit_files names the decoder
    assert_same(snapshot(default, tables), snapshot(reference, tables))


def test_a_nightly_file_of_a_calibrated_athlete_is_judged_by_the_history_before_it_and_not_again(tmp_path: Path) -> None:
    _history(tmp_path / "inbox" / "amy")
    db = tmp_path / "h.duckdb"
    assert ingest([tmp_path / "inbox"], db, DEFAULT_CONFIG, OPTIONS).counts.workouts_recalibrated == 0
    write(tmp_path / "inbox" / "amy", "6-easy", T0 + 10 * DAY, jog(30, speed=3.0))
    night = ingest([tmp_path / "inbox"], db, DEFAULT_CONFIG, OPTIONS)
    assert night.ok and night.counts.files_new == 1
    assert night.counts.workouts_recalibrated == 0
    used = dict(_rows(db, "SELECT metric, threshold_used FROM workout_evidence "
                          "WHERE start_utc = (SELECT max(start_utc) FROM workout_evidence)").rows())
    now = dict(_rows(db, "SELECT metric, last(value ORDER BY valid_from NULLS FIRST) FROM athlete_thresholds GROUP BY metric").rows())
    assert used == now  # the history's best, not the easy run's own (vmax at the 6.0 m/s floor)
    assert used["vmax_mps"] == 6.8 and used["threshold_speed_mps"] > 3.6


def test_only_the_new_files_of_an_athlete_with_several_are_surveyed(tmp_path: Path) -> None:
    _history(tmp_path / "inbox" / "amy")
    write(tmp_path / "inbox" / "joe", "1-easy", T0, jog(30))
    found = discover_inbox([tmp_path / "inbox"]).candidates
    assert sorted(Path(c.path).name for c in worth_surveying(found, None)) == [f"{k}.fit" for k in
                                                                                ("1-steady", "2-strides", "3-hills", "4-tempo", "5-flat")]
    assert worth_surveying([c for c in found if c.folder_athlete == "joe"], None) == []
    assert len(worth_surveying(found, "amy")) == 6  # --athlete: every file is amy's


def test_survey_work_regrouped_for_a_scheduler_keeps_every_file_once_in_order_in_at_most_the_tasks_asked(tmp_path: Path) -> None:
    _history(tmp_path / "inbox" / "amy")
    found = discover_inbox([tmp_path / "inbox"]).candidates
    work = batches(found, 1)
    for tasks, sizes in ((2, [3, 2]), (4, [2, 2, 1]), (10, [1] * 5), (1, [5])):
        grouped = regrouped(work, tasks)
        assert [len(g) for g in grouped] == sizes, tasks
        assert [c for g in grouped for c in g] == found
    assert [len(g) for g in regrouped(batches(found, 2), 5)] == [2, 2, 1]  # never smaller than the batches given
    assert regrouped([], 4) == []
