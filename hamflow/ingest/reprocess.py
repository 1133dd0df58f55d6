"""Recomputing workouts and weeks from stored samples after a config or model change.

The FIT files may be long gone: ``samples`` keeps every second's signals, so the model can run
again on them. Everything happens in one transaction per athlete: a crash leaves the previous
results in place, never a mix.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from ..model import AthleteProfile, HamflowConfig
from ..model.classify import stored_evidence
from ..model.thresholds import Timeline, WorkoutRef, profile_with, timeline
from ..store.connection import transaction
from ..store.rewrite import StoredAthlete, replace_workouts, stored_athlete, workout_athletes
from ..store.thresholds import replace_thresholds, threshold_frame
from ..store.weeks import comparable, refresh_weeks
from .duplicates import merge_athlete
from .prepare import WORKOUT_COLUMNS
from .reclassify import device_totals, reclassify_stored


@dataclass(frozen=True)
class ReprocessResult:
    workouts: int
    workouts_changed: int
    weeks_changed: int
    model_version: str


def history_profiles(athlete: str, stored: StoredAthlete, config: HamflowConfig) -> tuple[Timeline, dict[str, AthleteProfile]]:
    """The athlete's threshold timeline from the candidates of every stored workout (found
    again in the stored samples), and the profile valid at each workout's start."""
    by_workout = stored.samples.partition_by("workout_id", as_dict=True, include_key=False)
    refs = []
    for w in stored.workouts.iter_rows(named=True):
        frame = by_workout.get((w["workout_id"],))
        if frame is None:
            continue
        # A secondary recording shows nothing its primary does not: counted once, here too.
        found = () if w.get("duplicate_of") else stored_evidence(frame, w["sport"], w["sub_sport"], config, totals=device_totals(w))
        refs.append(WorkoutRef(w["workout_id"], w["start_utc"], {c.metric: c for c in found}))
    tl = timeline(athlete, refs, config)
    base = config.profile(athlete)
    return tl, {wid: profile_with(base, values) for wid, values in tl.at.items()}


def changed_count(old: pl.DataFrame, new: pl.DataFrame) -> int:
    """How many of ``new``'s workouts differ from ``old``'s."""
    cols = list(WORKOUT_COLUMNS)
    return comparable(new.select(cols)).join(comparable(old.select(cols)), on=cols, how="anti", nulls_equal=True).height


def reprocess(con: duckdb.DuckDBPyConnection, config: HamflowConfig, *, athlete: str | None = None) -> ReprocessResult:
    """Run the model again on every stored workout (of ``athlete``, or all) and refresh weeks.

    Each athlete's recordings of one workout are grouped and merged again first, then the
    thresholds are estimated again from all their workouts, so every workout is classified
    with the merged streams and the thresholds valid at its start, as an ingest does.
    """
    athletes = [a for a in workout_athletes(con) if athlete in (None, a)]
    total = changed = 0
    weeks: set[tuple[str, object]] = set()
    for a in athletes:
        with transaction(con):
            merge_athlete(con, a, config)  # the groups may change with the config: merged samples first
            stored = stored_athlete(con, a)
            tl, profiles = history_profiles(a, stored, config)
            old, new, children = reclassify_stored(a, config, stored, profiles)
            total += new.height
            changed += changed_count(old, new)
            replace_workouts(con, new, children)
            replace_thresholds(con, a, threshold_frame(tl.rows))
            weeks |= refresh_weeks(con, [a], config)
    return ReprocessResult(workouts=total, workouts_changed=changed, weeks_changed=len(weeks), model_version=config.model_version)
