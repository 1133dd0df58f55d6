"""Ingesting FIT files into the store, as separate steps that a scheduler can spread out.

``plan_run`` (cheap, holds the database briefly) -> ``learn_priors`` (the thresholds timelines the
new workouts will be judged by: stored candidates, and a survey of the new files when several
of one athlete arrive together) -> ``prepare_files`` (slow, pure, parallel anywhere: no
database) -> ``write_prepared`` (one short transaction per ``write_samples`` worth of prepared
batches) -> ``merge_duplicates`` and
``recalibrate`` (each athlete's files together) -> ``finish_run``.
:func:`run` is the one loop over them; an :class:`Engine` decides where the
steps run: :class:`LocalEngine` in this process, ``hamflow_flows`` under Prefect with parallel
workers, retries and logging.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Protocol, TypeVar

import duckdb
import polars as pl

from ..model import HamflowConfig as Config
from ..model.config import ArchiveLimits
from ..model.thresholds import PRIOR_COLUMNS, PriorThresholds
from ..store.connection import StoreError, connection, transaction
from ..store.paths import follow_moves, recorded_paths, remember_paths, unknown_by_path
from ..store.prepared import FileOutcome, PreparedFile
from ..store.rewrite import workout_athletes
from ..store.runs import RunCounts, StageTimes, record_stage_times, start_run
from ..store.runs import finish_run as _finish_run_row
from ..store.schema import ensure_schema
from ..store.thresholds import stored_evidence
from ..store.writer import WriteResult, known_hashes, sample_count, write_batch
from .calibrate import Recalibration, calibrate
from .duplicates import Merge, merge_recordings
from .files import Candidate, Discovery, InboxError, discover_inbox, not_fit_text, split_unsettled, with_hashes
from .handoff import handoff_directory
from .processes import SURVEY_PROCESSES_MIN_FILES, each_in_processes
from .steps import IngestOptions, prepare_files, survey_batch
from .survey import PRIOR_SCHEMA, priors_of, worth_surveying

__all__ = ["Engine", "IngestError", "IngestOptions", "LocalEngine", "RunPlan", "RunReport", "StageTimes", "batches", "finish_run",
           "has_new_files", "ingest", "learn_priors", "merge_duplicates", "plan_run", "prepare_files", "recalibrate", "regrouped",
           "run", "submitted_ahead", "survey_batch", "write_prepared"]


_T = TypeVar("_T")
_B = TypeVar("_B")
_F = TypeVar("_F")


class IngestError(Exception):
    """The run could not do its job (inbox missing, database unwritable): exit non-zero."""


@dataclass(frozen=True)
class Quarantined:
    path: str
    reason: str
    detail: str | None


@dataclass
class RunPlan:
    run_id: str
    db_path: str
    started_at: datetime
    todo: list[Candidate]  # new content: decode, classify, write
    seen: int
    #: Already in the database by the path index: how many (as listed: their hash is not looked up).
    known_by_path: int
    duplicates: list[Candidate]  # same bytes as another file of this run
    deferred: list[Candidate]  # still being written
    unreadable: list[Candidate]  # could not be read: reported, retried next run
    discover_s: float = 0.0  # wall seconds plan_run took
    #: Already in the database by their hash, at a path the index did not know: renamed, moved
    #: or copied since they were ingested.
    known_by_hash: list[Candidate] = field(default_factory=list)
    not_fit: dict[str, int] = field(default_factory=dict)  # files that are not FIT, by extension

    @property
    def known(self) -> int:
        """Files already in the database, by path or by hash."""
        return self.known_by_path + len(self.known_by_hash)


@dataclass
class RunReport:
    run_id: str
    db_path: str
    status: str
    counts: RunCounts
    started_at: datetime
    finished_at: datetime
    quarantined: list[Quarantined] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    weeks: set[tuple[str, object]] = field(default_factory=set)
    stages: StageTimes = field(default_factory=StageTimes)
    #: Athletes whose workouts were classified again because their thresholds changed.
    recalibrated_athletes: tuple[str, ...] = ()
    #: Files found that are not FIT (.gpx, .tcx, .csv, ...), by extension: counted, not read.
    not_fit: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "completed"


def has_new_files(paths: Sequence[str | os.PathLike[str]], db_path: str | os.PathLike[str],
                  limits: ArchiveLimits | None = None) -> bool:
    """Whether a run over ``paths`` may have anything to do: a file that the database's path
    index does not know by path, size and mtime (new, changed, unreadable, or no database yet).

    Cheap and read-only (no hashing, no decoding), so a nightly command can see that an inbox
    is unchanged before paying for a scheduler. Any doubt answers True: the real run decides.
    Raises :class:`IngestError` where the run itself would, at once: a path is missing, or
    there is no FIT file under the paths.
    """
    found = _discover(paths, limits)
    if not Path(db_path).exists() or found.unreadable:
        return True
    try:
        with connection(db_path, read_only=True, timeout_s=0) as con:
            unknown = unknown_by_path(con, found.listing_frame())
    except (StoreError, duckdb.Error):
        return True
    return bool(unknown)


def _discover(paths: Sequence[str | os.PathLike[str]], limits: ArchiveLimits | None) -> Discovery:
    """The FIT files under ``paths``; :class:`IngestError` for a missing path or none at all
    (saying what else was found, so an export of only GPX files is recognised as such)."""
    try:
        found = discover_inbox(paths, limits=limits)
    except InboxError as exc:
        raise IngestError(str(exc)) from exc
    if not found.count:
        others = f" ({found.not_fit_total} files that are not FIT: {not_fit_text(found.not_fit)})" if found.not_fit else ""
        raise IngestError(f"no FIT files under {', '.join(str(p) for p in paths)}{others}")
    return found


def plan_run(paths: Sequence[str | os.PathLike[str]], db_path: str | os.PathLike[str], config: Config,
             options: IngestOptions = IngestOptions(), *, run_id: str | None = None) -> RunPlan:
    """Find what this run has to do, and record its start in ``ingest_runs``.

    Raises :class:`IngestError` when a path is missing or the database cannot be written.
    """
    started_s = time.perf_counter()
    found = _discover(paths, config.archives)
    run_id = run_id or uuid.uuid4().hex
    unreadable = found.unreadable
    try:
        with connection(db_path) as con:
            ensure_schema(con)
            not_indexed = unknown_by_path(con, found.listing_frame())
    except StoreError as exc:
        raise IngestError(str(exc)) from exc
    # Known by path: as listed, never made into candidates (their hash is not looked up).
    unknown = found.readable_at(not_indexed)
    known_by_path = found.readable_count - len(unknown)
    settled, deferred = split_unsettled(unknown, options.settle_s)
    hashed = with_hashes(settled, config.archives)
    unreadable += [c for c in hashed if c.error]
    hashed = [c for c in hashed if not c.error]
    try:
        with connection(db_path) as con:
            in_db = known_hashes(con, [c.sha256 for c in hashed if c.sha256])
            started = start_run(con, run_id, config.model_version)
    except StoreError as exc:
        raise IngestError(str(exc)) from exc
    todo, duplicates, firsts, by_hash = [], [], set(), []
    for c in hashed:  # sorted by path: the first path of a content wins, whatever the order found
        if c.sha256 in in_db:
            by_hash.append(c)
        elif c.sha256 in firsts:
            duplicates.append(c)
        else:
            firsts.add(c.sha256)
            todo.append(c)
    # Archive members in the order of their archive's bytes: a worker reads a batch's members in
    # one pass. The writes' order does not change what is written (identity is the hash).
    todo.sort(key=lambda c: (c.disk_path, c.member.position if c.member is not None else (), c.path))
    return RunPlan(run_id, str(db_path), started, todo, found.count, known_by_path, duplicates, deferred, unreadable,
                   discover_s=time.perf_counter() - started_s, known_by_hash=by_hash, not_fit=found.not_fit)


def stored_priors(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every stored candidate (:data:`PRIOR_SCHEMA` rows; a second recording shows none)."""
    stored = stored_evidence(con, workout_athletes(con))
    if stored.is_empty():
        return pl.DataFrame(schema=PRIOR_SCHEMA)
    return stored.select(PRIOR_COLUMNS).cast(PRIOR_SCHEMA)  # type: ignore[arg-type]


def learn_priors(engine: Engine, plan: RunPlan, config: Config, options: IngestOptions,
                 handoff: str | None = None) -> PriorThresholds:
    """The thresholds timelines the run's new workouts are classified with: every stored
    candidate, and those of the new files an athlete has several of (surveyed by ``engine``,
    which leaves them in ``handoff`` for prepare)."""
    with connection(plan.db_path) as con:
        stored = stored_priors(con)
    surveyed = worth_surveying(plan.todo, options.athlete)
    found = engine.survey(batches(surveyed, options.batch_size), config, options, handoff) if surveyed else iter(())
    return priors_of(stored, found)


def write_prepared(db_path: str | os.PathLike[str], prepared: Sequence[PreparedFile], run_id: str, config: Config) -> WriteResult:
    """Write prepared files in one short transaction (waits for a reader's lock, up to a deadline).

    ``write_s`` of the result includes opening and closing the database: closing can checkpoint
    the write-ahead log, which is part of what a write costs.
    """
    started = time.perf_counter()
    with connection(db_path) as con:
        result = write_batch(con, prepared, run_id=run_id, weekly_params=config)
    return replace(result, write_s=time.perf_counter() - started - result.weekly_s)


def merge_duplicates(db_path: str | os.PathLike[str], config: Config) -> Merge:
    """Count each workout recorded twice once, its primary completed with the other's streams,
    after a run's writes and before calibration (:mod:`hamflow.ingest.duplicates`): one
    transaction per athlete."""
    with connection(db_path) as con:
        return merge_recordings(con, config)


def recalibrate(db_path: str | os.PathLike[str], config: Config) -> Recalibration:
    """Bring thresholds and the workouts judged by them in step after a run's writes
    (:mod:`hamflow.ingest.calibrate`): one transaction per athlete."""
    with connection(db_path) as con:
        return calibrate(con, config)


def finish_run(plan: RunPlan, results: Sequence[WriteResult], prepared: Sequence[FileOutcome], *,
               status: str = "completed", message: str | None = None, prepare_wait_s: float = 0.0,
               recalibration: Recalibration | None = None, merge: Merge | None = None,
               timed: StageTimes | None = None) -> RunReport:
    """Record the run's counts and stage times; remember the paths of files known by hash or duplicated.

    ``prepare_wait_s`` is the wall time the caller spent waiting for (or doing) decode and
    classify: only the caller knows it, as only it knows whether that ran in parallel; so are
    the ``survey_s``, ``merge_s`` and ``calibrate_s`` of ``timed`` (its other fields are ignored).
    """
    started = time.perf_counter()
    timed = timed or StageTimes()
    counts = RunCounts(
        files_seen=plan.seen,
        files_new=sum(r.files_written for r in results),
        files_known=plan.known + len(plan.duplicates) + sum(r.files_skipped for r in results),
        files_quarantined=sum(1 for p in prepared if p.status == "quarantined"),
        files_not_activity=sum(1 for p in prepared if p.status == "not_activity"),
        files_deferred=len(plan.deferred),
        workouts_added=sum(r.workouts_added for r in results),
        files_not_fit=sum(plan.not_fit.values()),
    )
    weeks = set().union(*(r.weeks for r in results)) if results else set()
    recalibration = recalibration or Recalibration()
    weeks |= recalibration.weeks | (merge or Merge()).weeks
    counts.weeks_updated = len(weeks)
    counts.workouts_recalibrated = recalibration.workouts_recalibrated
    counts.workouts_merged = (merge or Merge()).workouts_rederived
    # Files known by their path are indexed as they are: only paths first seen by this run (files
    # known by hash, copies of another file of the run) are remembered, so that finishing a run
    # costs what it found new, not the size of the inbox.
    entries = [c.path_entry() for c in plan.known_by_hash + plan.duplicates if c.sha256]
    with connection(plan.db_path) as con, transaction(con):
        remember_paths(con, entries)
        _follow_moves(con, plan.known_by_hash)
        _finish_run_row(con, plan.run_id, counts, status=status, message=message, not_fit=plan.not_fit)
        stages = StageTimes(
            discover_s=plan.discover_s,
            decode_s=sum(p.decode_s for p in prepared),
            classify_s=sum(p.classify_s for p in prepared),
            prepare_wait_s=prepare_wait_s,
            write_s=sum(r.write_s for r in results),
            weekly_s=sum(r.weekly_s for r in results),
            finish_s=time.perf_counter() - started,
            survey_s=timed.survey_s,
            merge_s=timed.merge_s,
            calibrate_s=timed.calibrate_s,
        )
        record_stage_times(con, plan.run_id, stages)
    quarantined = [Quarantined(p.path, p.reason or "unknown", p.detail) for p in prepared if p.status == "quarantined"]
    quarantined += [Quarantined(c.path, "unreadable", c.error) for c in plan.unreadable]
    return RunReport(
        run_id=plan.run_id, db_path=plan.db_path, status=status, counts=counts,
        started_at=plan.started_at, finished_at=datetime.now(UTC), quarantined=quarantined,
        deferred=[c.path for c in plan.deferred], weeks=weeks, stages=stages,
        recalibrated_athletes=recalibration.athletes, not_fit=dict(plan.not_fit),
    )


def _follow_moves(con: duckdb.DuckDBPyConnection, found: Sequence[Candidate]) -> None:
    """A known file found at a new path whose recorded path is gone was renamed or moved:
    ``fit_files`` should say where it is now. (A second copy leaves the record alone.)"""
    entries = [c.path_entry() for c in found if c.sha256]
    recorded = recorded_paths(con, entries)
    # An archive member is where it was while its archive is (the part before the first "!").
    moved = [e for e in entries if recorded.get(e.file_sha256, e.path) != e.path
             and not os.path.exists(recorded[e.file_sha256].split("!", 1)[0])]
    follow_moves(con, moved)


def batches(items: Sequence[Candidate], size: int) -> list[list[Candidate]]:
    size = max(1, size)
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def regrouped(work: Sequence[Sequence[Candidate]], tasks: int) -> list[list[Candidate]]:
    """The files of ``work`` in order, in at most ``tasks`` batches of equal size (none smaller
    than the largest batch of ``work``): for a step so light per file that a task's own fixed
    cost on a scheduler would be a large part of each batch's."""
    files = [c for batch in work for c in batch]
    size = max(max((len(batch) for batch in work), default=1), -(-len(files) // max(1, tasks)))
    return batches(files, size)


class Engine(Protocol):
    """What runs a run's steps: the run loop (:func:`run`) is the same for every engine.

    An engine decides where batches are prepared (this process, a process pool, a Dask cluster)
    and how a step is retried; it never changes what is written or in which order.
    """

    def plan(self, paths: Sequence[str], db_path: str, config: Config, options: IngestOptions,
             run_id: str | None) -> RunPlan: ...

    def survey(self, work: list[list[Candidate]], config: Config, options: IngestOptions,
               handoff: str | None = None) -> Iterator[pl.DataFrame]:
        """Surveyed batches (:func:`survey_batch`), in any order, each file left in ``handoff``."""
        ...

    def prepare(self, work: list[list[Candidate]], config: Config, options: IngestOptions,
                priors: PriorThresholds | None = None, handoff: str | None = None) -> Iterator[list[PreparedFile]]:
        """Prepared batches, in the order of ``work``, from what the survey left in ``handoff``."""
        ...

    def write(self, db_path: str, prepared: list[PreparedFile], run_id: str, config: Config) -> WriteResult: ...

    def planned(self, plan: RunPlan) -> None:
        """Told what the run will do (for logging)."""

    def quarantined(self, prepared: PreparedFile) -> None:
        """Told about each quarantined file as soon as it is known (for logging)."""


#: The local engine's threads at most: each holds two prepared batches ahead of the write, and
#: the parts of the work that hold the interpreter lock (parsing, shaping rows) leave more of
#: them waiting.
MAX_LOCAL_THREADS: Final = 4


class LocalEngine:
    """Everything on this machine, without Prefect: the batches are prepared by ``threads``
    threads of this process (default: one per core, at most :data:`MAX_LOCAL_THREADS`), two
    batches per thread ahead of the write, which runs in the calling thread. Memory stays flat in
    the number of files.

    Threads for prepare: most of its work is polars and the fast decoder, which run without the
    interpreter lock, so with two threads on two cores the athlete-year's run took 10.6 s instead
    of 16.7-18.7 s (docs/benchmarks.md), with no process to start and nothing pickled.
    ``threads=1`` prepares one batch at a time, in this thread.

    The survey is mostly Python that holds the lock, so a survey of many files
    (:data:`~.processes.SURVEY_PROCESSES_MIN_FILES`) runs in as many worker processes instead
    (:mod:`.processes`); ``survey_processes`` True or False decides it whatever the size.
    """

    def __init__(self, threads: int | None = None, *, survey_processes: bool | None = None) -> None:
        self.threads = max(1, threads if threads is not None else min(os.cpu_count() or 1, MAX_LOCAL_THREADS))
        self.survey_processes = survey_processes

    def plan(self, paths: Sequence[str], db_path: str, config: Config, options: IngestOptions,
             run_id: str | None) -> RunPlan:
        return plan_run(paths, db_path, config, options, run_id=run_id)

    def survey(self, work: list[list[Candidate]], config: Config, options: IngestOptions,
               handoff: str | None = None) -> Iterator[pl.DataFrame]:
        if self.surveys_in_processes(work):
            def in_threads(rest: list[list[Candidate]]) -> Iterator[pl.DataFrame]:
                return self._each(survey_batch, rest, config, options, handoff)

            return each_in_processes(survey_batch, work, self.threads, config, options, handoff, fallback=in_threads)
        return self._each(survey_batch, work, config, options, handoff)

    def surveys_in_processes(self, work: Sequence[Sequence[Candidate]]) -> bool:
        """Whether :meth:`survey` runs ``work`` in worker processes: as told, else with several
        threads, more than one batch and at least :data:`~.processes.SURVEY_PROCESSES_MIN_FILES` files."""
        if self.survey_processes is not None:
            return self.survey_processes
        return self.threads > 1 and len(work) > 1 and sum(len(b) for b in work) >= SURVEY_PROCESSES_MIN_FILES

    def prepare(self, work: list[list[Candidate]], config: Config, options: IngestOptions,
                priors: PriorThresholds | None = None, handoff: str | None = None) -> Iterator[list[PreparedFile]]:
        return self._each(prepare_files, work, config, options, priors, handoff)

    def _each(self, step: Callable[..., _T], work: list[list[Candidate]], *args: Any) -> Iterator[_T]:
        """``step`` on each batch of ``work``, in order, at most two batches per thread ahead of
        the caller; what is still queued when the caller stops taking results is cancelled."""
        if self.threads == 1 or len(work) <= 1:
            yield from (step(batch, *args) for batch in work)
            return
        with ThreadPoolExecutor(self.threads, thread_name_prefix="hamflow-prepare") as pool:
            def submit(batch: list[Candidate]) -> Future[_T]:
                return pool.submit(step, batch, *args)

            for future in submitted_ahead(submit, work, 2 * self.threads, cancel=Future.cancel):
                yield future.result()

    def write(self, db_path: str, prepared: list[PreparedFile], run_id: str, config: Config) -> WriteResult:
        return write_prepared(db_path, prepared, run_id, config)

    def planned(self, plan: RunPlan) -> None:
        pass

    def quarantined(self, prepared: PreparedFile) -> None:
        pass


def submitted_ahead(submit: Callable[[_B], _F], items: Iterable[_B], ahead: int, *,
                    cancel: Callable[[_F], object] | None = None) -> Iterator[_F]:
    """What ``submit`` returns for each of ``items``, in their order, with at most ``ahead``
    submitted before the caller takes them (at least one): the next item is submitted before the
    oldest is handed out, so the work runs while the caller writes, and the caller's order, not
    the order the work finishes in, decides what is written when. When the caller stops early,
    ``cancel`` is called on each submitted item not yet taken."""
    pending: deque[_F] = deque()
    queued = iter(items)
    try:
        while True:
            while len(pending) < max(1, ahead) and (item := next(queued, _END)) is not _END:
                pending.append(submit(item))  # type: ignore[arg-type]  # not _END
            if not pending:
                return
            yield pending.popleft()
    finally:
        if cancel is not None:
            for future in pending:
                cancel(future)


#: The end of :func:`submitted_ahead`'s items (an item may be None).
_END: Final = object()


def run(paths: Sequence[str | os.PathLike[str]], db_path: str | os.PathLike[str], config: Config,
        options: IngestOptions = IngestOptions(), *, engine: Engine | None = None, run_id: str | None = None,
        progress: Callable[[int, int], None] | None = None) -> RunReport:
    """The run loop: plan, prepared batches, writes in plan order, finish.

    One bad file is quarantined and reported; it never fails the run. A database that cannot
    be written fails it (:class:`IngestError`), recorded in ``ingest_runs`` when possible.
    """
    engine = engine or LocalEngine()
    plan = engine.plan([str(p) for p in paths], str(db_path), config, options, run_id)
    engine.planned(plan)
    results: list[WriteResult] = []
    outcomes: list[FileOutcome] = []
    done = 0
    waited_s = 0.0
    timed = StageTimes()
    work = batches(plan.todo, options.batch_size)
    pending: list[PreparedFile] = []  # prepared, not yet written: one write transaction's files
    # The survey leaves each file it decodes there for its prepare; gone when the run ends, however it ends.
    handoff = contextlib.ExitStack()
    prepared_batches: Iterator[list[PreparedFile]] = iter(())
    try:
        priors = None
        handed: str | None = None
        if plan.todo:  # nothing new: no timeline to learn
            started = time.perf_counter()
            handed = handoff.enter_context(handoff_directory())
            priors = learn_priors(engine, plan, config, options, handed)
            timed = replace(timed, survey_s=time.perf_counter() - started)
        prepared_batches = engine.prepare(work, config, options, priors, handed)
        for i, batch in enumerate(work):
            started = time.perf_counter()
            prepared = next(prepared_batches)
            waited_s += time.perf_counter() - started
            for p in prepared:
                if p.status == "quarantined":
                    engine.quarantined(p)
            pending += prepared
            prepared.clear()
            if sample_count(pending) >= options.write_samples or i == len(work) - 1:
                results.append(engine.write(plan.db_path, pending, plan.run_id, config))
                outcomes += [p.outcome for p in pending]  # the frames are written: keep only the verdicts
                # Free the frames now: an engine may hold its results in reference cycles that
                # only the cyclic collector frees, and that runs rarely.
                pending.clear()
            done += len(batch)
            if progress:
                progress(done, len(plan.todo))
        started = time.perf_counter()
        merge = merge_duplicates(plan.db_path, config)
        timed = replace(timed, merge_s=time.perf_counter() - started)
        started = time.perf_counter()
        recalibration = recalibrate(plan.db_path, config)
        timed = replace(timed, calibrate_s=time.perf_counter() - started)
        unreachable = _unreachable(plan, outcomes)
        if unreachable:
            finish_run(plan, results, outcomes, status="failed", message=unreachable, prepare_wait_s=waited_s,
                       recalibration=recalibration, timed=timed)
            raise IngestError(unreachable)
    except StoreError as exc:
        with contextlib.suppress(StoreError):  # record the failure if the database lets us; the error is what matters
            finish_run(plan, results, outcomes, status="failed", message=str(exc), prepare_wait_s=waited_s, timed=timed)
        raise IngestError(str(exc)) from exc
    finally:
        # Whatever still prepares from the handoff directory stops before the directory goes.
        if isinstance(prepared_batches, Generator):
            prepared_batches.close()
        handoff.close()
    return finish_run(plan, results, outcomes, prepare_wait_s=waited_s, recalibration=recalibration, merge=merge,
                      timed=timed)


def _unreachable(plan: RunPlan, outcomes: Sequence[FileOutcome]) -> str | None:
    """Why the run failed when no new file could even be read: that is the environment (paths
    the workers do not see, permissions, a vanished mount), not the files, and a run that
    "completes" with every file quarantined hides it. ``None`` when any new file was read."""
    unread = [(c.path, c.error) for c in plan.unreadable]
    unread += [(o.path, o.detail) for o in outcomes if o.status == "quarantined" and o.reason == "unreadable"]
    if not unread or len(unread) < len(plan.unreadable) + len(outcomes):
        return None
    path, detail = unread[0]
    return (f"none of the {len(unread)} new files could be read where they were decoded (first: {detail or path}); "
            "check that the paths exist and are readable there (for a Dask cluster: on every worker, at the same path)")


def ingest(paths: Sequence[str | os.PathLike[str]], db_path: str | os.PathLike[str], config: Config,
           options: IngestOptions = IngestOptions(), *,
           progress: Callable[[int, int], None] | None = None, threads: int | None = None) -> RunReport:
    """Ingest ``paths`` into ``db_path`` in this process (:class:`LocalEngine`, with ``threads``
    preparing batches: default one per core, at most :data:`MAX_LOCAL_THREADS`)."""
    return run(paths, db_path, config, options, engine=LocalEngine(threads), progress=progress)
