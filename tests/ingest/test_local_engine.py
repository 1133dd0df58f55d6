"""The local engine's threads and its survey's processes: the same tables as one thread, and
nothing left running."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest

from hamflow.ingest import Candidate, IngestError, IngestOptions, LocalEngine
from hamflow.ingest.processes import SURVEY_PROCESSES_MIN_FILES
from hamflow.ingest.run import run
from hamflow.model.config_load import load_config
from hamflow.store.connection import StoreError
from hamflow.store.prepared import PreparedFile
from hamflow.store.writer import WriteResult

from ..helpers import SAMPLES, assert_same, make_inbox, sample, snapshot

CONFIG = load_config(None)
#: One file per batch and per write: the most batches prepared at once, the most writes to order.
ONE_BY_ONE = IngestOptions(settle_s=0.0, batch_size=1, write_samples=0)
TABLES = ("fit_files", "workouts", "weekly_posterior_load", "segments", "workout_patterns", "samples_stored",
          "athlete_thresholds", "workout_evidence")


def _prepare_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("hamflow-prepare")]


def test_three_threads_write_exactly_the_tables_one_thread_writes(tmp_path: Path) -> None:
    """Two athletes, several files each (so the survey runs in the threads too), a broken file."""
    ana = [sample(kind) for kind in ("incline_walk", "easy_run", "track_sprints", "row_ciq", "stair")]
    inbox = make_inbox(tmp_path / "inbox", {"ana": ana, "ben": [sample("easy_run", "ben"), sample("bike", "ben")]})
    (inbox / "ana" / "broken.fit").write_bytes(ana[0].read_bytes()[:100])
    one, three = tmp_path / "one.duckdb", tmp_path / "three.duckdb"
    report = run([str(inbox)], one, CONFIG, ONE_BY_ONE, engine=LocalEngine(threads=1))
    assert report.counts.workouts_added == 7 and report.counts.files_quarantined == 1
    run([str(inbox)], three, CONFIG, ONE_BY_ONE, engine=LocalEngine(threads=3))
    assert_same(snapshot(one, TABLES), snapshot(three, TABLES))
    assert _prepare_threads() == []


class _WriteFails(LocalEngine):
    """Threads preparing ahead while the second write finds the database unwritable."""

    def __init__(self) -> None:
        super().__init__(threads=2)
        self.writes = 0

    def write(self, db_path: str, prepared: list[PreparedFile], run_id: str, config: object) -> WriteResult:
        self.writes += 1
        if self.writes == 2:
            raise StoreError("database is full")
        return super().write(db_path, prepared, run_id, config)  # type: ignore[arg-type]


def test_a_run_that_fails_mid_write_stops_its_threads_before_it_returns(tmp_path: Path) -> None:
    """The threads prepare from the run's handoff folder, which goes when the run ends: none of
    them may still be reading it (or holding frames) after the error reaches the caller."""
    with pytest.raises(IngestError, match="database is full") as failed:
        run([str(SAMPLES)], tmp_path / "h.duckdb", CONFIG, ONE_BY_ONE, engine=_WriteFails())
    assert failed.value is not None  # the traceback, and the run's frame with it, is still held here
    assert _prepare_threads() == []


def test_one_thread_prepares_in_the_calling_thread() -> None:
    engine = LocalEngine(threads=1)
    seen: list[str] = []

    def step(batch: list[int]) -> int:
        seen.append(threading.current_thread().name)
        return sum(batch)

    assert list(engine._each(step, [[1], [2, 3]])) == [1, 5]  # type: ignore[arg-type]
    assert seen == [threading.current_thread().name] * 2


def test_work_is_submitted_at_most_so_far_ahead_taken_in_order_and_the_untaken_cancelled() -> None:
    from hamflow.ingest.run import submitted_ahead

    submitted: list[int | None] = []
    cancelled: list[int | None] = []

    def submit(item: int | None) -> int | None:
        submitted.append(item)
        return item

    taken = submitted_ahead(submit, [None, 1, 2, 3, 4], 2, cancel=cancelled.append)
    assert next(taken) is None and submitted == [None, 1]  # an item may be None
    assert next(taken) == 1 and submitted == [None, 1, 2]
    taken.close()  # the caller stops: what it never took is cancelled, nothing more submitted
    assert cancelled == [2] and submitted == [None, 1, 2]
    assert list(submitted_ahead(submit, range(3), 0)) == [0, 1, 2]  # at least one ahead


def test_a_survey_in_worker_processes_writes_exactly_the_tables_threads_write(tmp_path: Path) -> None:
    """The same inbox as above, its survey in two spawned processes: what they leave in the
    handoff folder and the candidates they send back make the same run, and no process is left."""
    ana = [sample(kind) for kind in ("incline_walk", "easy_run", "track_sprints", "row_ciq", "stair")]
    inbox = make_inbox(tmp_path / "inbox", {"ana": ana, "ben": [sample("easy_run", "ben"), sample("bike", "ben")]})
    (inbox / "ana" / "broken.fit").write_bytes(ana[0].read_bytes()[:100])
    threads, processes = tmp_path / "threads.duckdb", tmp_path / "processes.duckdb"
    options = IngestOptions(settle_s=0.0, batch_size=2, write_samples=0)
    run([str(inbox)], threads, CONFIG, options, engine=LocalEngine(threads=2, survey_processes=False))
    report = run([str(inbox)], processes, CONFIG, options, engine=LocalEngine(threads=2, survey_processes=True))
    assert report.counts.workouts_added == 7 and report.counts.files_quarantined == 1
    assert_same(snapshot(threads, TABLES), snapshot(processes, TABLES))
    assert multiprocessing.active_children() == []


def test_a_backfill_surveys_in_processes_and_a_night_or_one_thread_in_threads() -> None:
    many = [[_candidate(f"{b}-{i}") for i in range(8)] for b in range(SURVEY_PROCESSES_MIN_FILES // 8)]
    assert LocalEngine(threads=2).surveys_in_processes(many)
    assert not LocalEngine(threads=2).surveys_in_processes(many[:-1])  # one batch short
    assert not LocalEngine(threads=1).surveys_in_processes(many)
    assert not LocalEngine(threads=2).surveys_in_processes([many[0] * 30])  # one batch: nothing to share
    assert LocalEngine(threads=1, survey_processes=True).surveys_in_processes(many[:1])


def _candidate(name: str) -> Candidate:
    return Candidate(path=f"/inbox/{name}.fit", folder_athlete="ana", size_bytes=1, mtime_ns=0)
