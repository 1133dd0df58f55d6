"""Recomputing workouts and weeks from stored samples after a config or model change.

The FIT files may be long gone: ``samples`` keeps every second's signals, so the model can run
again on them. A whole history can take long, so a reprocess never holds the database for its
whole duration:

1. each athlete's recordings of one workout are grouped and merged again (the groups may change
   with the config), one short transaction per athlete;
2. the input is copied out in one sorted pass over ``samples`` (:mod:`hamflow.store.spool`):
   by athlete, then by workout in the order of the threshold timeline;
3. it is read back a batch of whole workouts at a time. A workout's thresholds are the running
   best of the candidates of the athlete's workouts up to it (docs/model.md, section 9), so one
   pass in that order knows them when it reaches the workout. Each batch is written in one
   transaction with its athletes' weeks (and, after an athlete's last workout, the athlete's
   thresholds), and the database is closed between batches so readers and the nightly ingest
   get in.

A crash leaves whole batches: every workout either as before or recomputed, its weeks in step. A
second reprocess recomputes everything again and ends where a single one would. If an ingest
wrote between two batches, the copy is stale from the current athlete on: it is made again from
that athlete, whose workouts are recomputed from the start.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from ..model import HamflowConfig
from ..model.classify import StoredWorkout, stored_evidence_all
from ..model.thresholds import Candidate, Timeline, WorkoutRef, profile_with, timeline
from ..store.connection import connection, transaction
from ..store.faults import crash_point
from ..store.frames import fetch_frame
from ..store.rewrite import StoredAthlete, replace_workouts, workout_athletes
from ..store.spool import SPOOL_MEMORY_LIMIT, Spool, StoredBatch, spool, spool_folder
from ..store.sqlfiles import read_sql
from ..store.thresholds import replace_thresholds, threshold_frame
from ..store.weeks import changed_weeks, comparable, refresh_weeks, stored_weeks
from .duplicates import merge_athlete
from .prepare import WORKOUT_COLUMNS
from .reclassify import RECLASSIFY_TOGETHER, device_totals, reclassify_stored

#: Samples per write transaction: what a concurrent ingest or reader waits for at most, and
#: what a reprocess holds in memory at once (about 1.3 M samples per athlete-year).
DEFAULT_BATCH_SAMPLES = 200_000


@dataclass(frozen=True)
class ReprocessResult:
    workouts: int
    workouts_changed: int
    weeks_changed: int
    model_version: str
    #: Write transactions (batches of whole workouts) it took.
    batches: int = 0


def workout_refs(workouts: Sequence[dict[str, Any]], by_workout: Mapping[tuple[Any, ...], pl.DataFrame],
                 config: HamflowConfig) -> list[WorkoutRef]:
    """Stored workouts' threshold candidates, found again in their stored samples (``by_workout``:
    each workout's, by its id), screened in step a few at a time."""
    # A secondary recording shows nothing its primary does not: counted once, here too.
    shown = [w for w in workouts if not w.get("duplicate_of")]
    found: dict[str, tuple[Candidate, ...]] = {}
    for at in range(0, len(shown), RECLASSIFY_TOGETHER):
        chunk = shown[at:at + RECLASSIFY_TOGETHER]
        stored = [StoredWorkout(by_workout[(w["workout_id"],)], w["sport"], w["sub_sport"], totals=device_totals(w)) for w in chunk]
        found.update(zip((w["workout_id"] for w in chunk), stored_evidence_all(stored, config), strict=True))
    return [WorkoutRef(w["workout_id"], w["start_utc"], {c.metric: c for c in found.get(w["workout_id"], ())})
            for w in workouts]


def changed_ids(old: pl.DataFrame, new: pl.DataFrame) -> set[str]:
    """The workouts of ``new`` that differ from ``old``'s."""
    cols = list(WORKOUT_COLUMNS)
    changed = comparable(new.select(cols)).join(comparable(old.select(cols)), on=cols, how="anti", nulls_equal=True)
    return set(changed.get_column("workout_id").to_list())


@dataclass
class _Athlete:
    """One athlete's progress through the pass."""

    refs: list[WorkoutRef] = field(default_factory=list)
    timeline: Timeline | None = None
    #: The weekly rows before the reprocess wrote any of the athlete's workouts.
    weeks_before: pl.DataFrame | None = None
    workouts: int = 0
    changed: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Computed:
    old: pl.DataFrame
    new: pl.DataFrame
    children: dict[str, pl.DataFrame]
    athletes: list[str]


def _classify(batch: StoredBatch, config: HamflowConfig, progress: dict[str, _Athlete]) -> _Computed:
    """The batch's workouts classified again, each with the thresholds valid at its start."""
    olds, news = [], []
    children: dict[str, list[pl.DataFrame]] = {}
    athletes = batch.workouts.get_column("athlete_id").unique(maintain_order=True).to_list()
    for a in athletes:
        state = progress.setdefault(a, _Athlete())
        workouts = batch.workouts.filter(pl.col("athlete_id") == a).drop("seq")
        ids = workouts.get_column("workout_id")
        samples = batch.samples.filter(pl.col("workout_id").is_in(ids.to_list())).drop("seq")
        sets = batch.strength_sets.filter(pl.col("workout_id").is_in(ids.to_list())).drop("seq")
        by_workout = samples.partition_by("workout_id", as_dict=True, include_key=False)
        state.refs.extend(workout_refs(list(workouts.iter_rows(named=True)), by_workout, config))
        state.timeline = timeline(a, state.refs, config)
        base = config.profile(a)
        profiles = {wid: profile_with(base, state.timeline.at[wid]) for wid in ids.to_list()}
        old, new, rows = reclassify_stored(a, config, StoredAthlete(workouts, samples, sets), profiles)
        olds.append(old)
        news.append(new)
        for table, frame in rows.items():
            children.setdefault(table, []).append(frame)
    return _Computed(pl.concat(olds, how="diagonal_relaxed"), pl.concat(news, how="diagonal_relaxed"),
                     {t: pl.concat(f, how="diagonal_relaxed") for t, f in children.items()}, athletes)


def _ingest_version(con: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    return tuple(fetch_frame(con, read_sql("queries/ingest_runs_version.sql")).row(0))


def _merge(db_path: Path, config: HamflowConfig, athlete: str | None) -> None:
    with connection(db_path) as con:
        athletes = [a for a in workout_athletes(con) if athlete in (None, a)]
    for a in athletes:
        with connection(db_path) as con, transaction(con):
            merge_athlete(con, a, config)
            crash_point("reprocess:merged")


def reprocess(db_path: str | os.PathLike[str], config: HamflowConfig, *, athlete: str | None = None,
              batch_samples: int = DEFAULT_BATCH_SAMPLES) -> ReprocessResult:
    """Run the model again on every stored workout (of ``athlete``, or all) and refresh weeks
    and thresholds, as an ingest of the same files with ``config`` would leave them (see the
    module docstring). Opens ``db_path`` for each step and closes it between them."""
    db_path = Path(db_path)
    _merge(db_path, config, athlete)
    folder = spool_folder(db_path)
    progress: dict[str, _Athlete] = {}
    total = changed = batches = 0
    weeks: set[tuple[str, object]] = set()
    try:
        with connection(db_path, memory_limit=SPOOL_MEMORY_LIMIT) as con:
            version = _ingest_version(con)
            snapshot: Spool | None = spool(con, folder, athlete=athlete)
        while snapshot is not None:
            current, snapshot = snapshot, None
            for batch in current.batches(batch_samples):
                computed = _classify(batch, config, progress)
                with connection(db_path) as con, transaction(con):
                    if _ingest_version(con) != version:
                        # An ingest wrote since the copy was made: copy again from this athlete on.
                        first = computed.athletes[0]
                        _forget_unwritten(progress, computed.athletes)
                        version, snapshot = _ingest_version(con), spool(con, folder, athlete=athlete, from_athlete=first)
                        break
                    done = _write(con, config, computed, progress, current, batch)
                    crash_point("reprocess:batch")
                crash_point("reprocess:committed")
                batches += 1
                for a in done:
                    state = progress.pop(a)
                    total += state.workouts
                    changed += len(state.changed)
                    weeks |= done[a]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return ReprocessResult(workouts=total, workouts_changed=changed, weeks_changed=len(weeks),
                           model_version=config.model_version, batches=batches)


def _forget_unwritten(progress: dict[str, _Athlete], athletes: Sequence[str]) -> None:
    """Undo what a batch that will not be written added to its athletes' progress: they are
    classified again from their first workout."""
    for a in athletes:
        state = progress[a]
        if state.weeks_before is None:
            del progress[a]
        else:
            progress[a] = _Athlete(weeks_before=state.weeks_before, changed=state.changed)


def _write(con: duckdb.DuckDBPyConnection, config: HamflowConfig, computed: _Computed, progress: dict[str, _Athlete],
           snapshot: Spool, batch: StoredBatch) -> dict[str, frozenset[tuple[str, object]]]:
    """Write one batch; return the weeks changed of each athlete it finished."""
    for a in computed.athletes:
        state = progress[a]
        if state.weeks_before is None:
            state.weeks_before = stored_weeks(con, [a])
        mine = pl.col("athlete_id") == a
        state.changed |= changed_ids(computed.old.filter(mine), computed.new.filter(mine))
        state.workouts += computed.new.filter(mine).height
    replace_workouts(con, computed.new, computed.children)
    crash_point("reprocess:workouts")
    refresh_weeks(con, computed.athletes, config)
    last = int(batch.workouts.get_column("seq").max())  # type: ignore[arg-type]
    done: dict[str, frozenset[tuple[str, object]]] = {}
    for a in computed.athletes:
        state = progress[a]
        if snapshot.last_seq[a] > last:
            continue
        assert state.timeline is not None and state.weeks_before is not None
        replace_thresholds(con, a, threshold_frame(state.timeline.rows))
        done[a] = changed_weeks(state.weeks_before, stored_weeks(con, [a]))
    return done
