"""Recomputing workouts and weeks from stored samples after a config or model change.

The FIT files may be long gone: ``samples`` keeps every second's signals, so the model can run
again on them. Everything happens in one transaction per athlete: a crash leaves the previous
results in place, never a mix.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import duckdb
import polars as pl

from ..fit import StrengthSet
from ..model import AthleteProfile, HamflowConfig, reclassify
from ..model.classify import stored_evidence
from ..model.quality import DeviceTotals
from ..model.thresholds import Timeline, WorkoutRef, profile_with, timeline
from ..store.connection import transaction
from ..store.rewrite import CHILD_TABLES, StoredAthlete, replace_workouts, stored_athlete, workout_athletes
from ..store.thresholds import replace_thresholds, threshold_frame
from ..store.weeks import comparable, refresh_weeks
from .prepare import WORKOUT_COLUMNS, evidence_frame, workout_frame, workout_record


@dataclass(frozen=True)
class ReprocessResult:
    workouts: int
    workouts_changed: int
    weeks_changed: int
    model_version: str


def _sets(rows: pl.DataFrame) -> list[StrengthSet]:
    return [
        StrengthSet(ts_utc=r["ts_utc"], set_type="active", categories=tuple(r["categories"] or ()),
                    repetitions=r["repetitions"], weight_kg=r["weight_kg"], duration_s=r["duration_s"])
        for r in rows.iter_rows(named=True)
    ]


_DEVICE_COLUMNS = ("device_elapsed_s", "device_timer_s", "device_distance_m", "device_max_speed_mps",
                   "device_max_power_w", "device_ascent_m")


def _device_totals(w: dict[str, object]) -> DeviceTotals:
    """What the session message said, as stored with the workout (none before migration 003)."""
    if all(w.get(c) is None for c in _DEVICE_COLUMNS):
        return DeviceTotals()
    return DeviceTotals(
        start_utc=w["start_utc"],  # type: ignore[arg-type]
        elapsed_s=w["device_elapsed_s"],  # type: ignore[arg-type]
        timer_s=w["device_timer_s"],  # type: ignore[arg-type]
        distance_m=w["device_distance_m"],  # type: ignore[arg-type]
        max_speed_mps=w["device_max_speed_mps"],  # type: ignore[arg-type]
        max_power_w=w["device_max_power_w"],  # type: ignore[arg-type]
        total_ascent_m=w["device_ascent_m"],  # type: ignore[arg-type]
    )


def _reclassify(
    athlete: str, config: HamflowConfig, stored: StoredAthlete, profiles: Mapping[str, AthleteProfile],
    only: Collection[str] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, pl.DataFrame]]:
    """(old workouts, new workouts, new child rows) of one athlete's workouts (those in ``only``,
    or all), each classified with its profile in ``profiles`` (the athlete's when missing)."""
    old, samples, sets = stored.workouts, stored.samples, stored.strength_sets
    if only is not None:
        old = old.filter(pl.col("workout_id").is_in(list(only)))
    by_workout = samples.partition_by("workout_id", as_dict=True, include_key=False)
    sets_by_workout = sets.partition_by("workout_id", as_dict=True, include_key=False) if not sets.is_empty() else {}
    records: list[dict[str, object]] = []
    children: dict[str, list[pl.DataFrame]] = {t: [] for t in CHILD_TABLES}
    for w in old.iter_rows(named=True):
        wid = w["workout_id"]
        frame = by_workout.get((wid,))
        if frame is None:
            continue
        worked = sets_by_workout.get((wid,))
        cs = reclassify(
            frame, w["sport"], w["sub_sport"], config, athlete_id=athlete, profile=profiles.get(wid),
            sets=_sets(worked) if worked is not None else (),
            session_index=w["session_index"], start_utc=w["start_utc"], elapsed_s=w["duration_s"], distance_m=w["distance_m"],
            totals=_device_totals(w),
        )
        records.append(workout_record(cs.summary, wid=wid, sha=w["file_sha256"], athlete_id=athlete,
                                      utc_offset_min=w["utc_offset_min"], start_local=w["start_local"], week_start=w["week_start"]))
        tag = pl.lit(wid).alias("workout_id")
        rows = (("samples", cs.samples), ("segments", cs.segments), ("workout_patterns", cs.patterns), ("strength_sets", cs.sets))
        for table, new in rows:
            if not new.is_empty():
                children[table].append(new.with_columns(tag))
        children["workout_evidence"].append(evidence_frame(cs, wid=wid, athlete_id=athlete, start_utc=w["start_utc"]))
    new_rows = workout_frame(records) if records else old.clear()
    return old, new_rows, {t: pl.concat(f, how="diagonal_relaxed") for t, f in children.items() if f}


def history_profiles(athlete: str, stored: StoredAthlete, config: HamflowConfig) -> tuple[Timeline, dict[str, AthleteProfile]]:
    """The athlete's threshold timeline from the candidates of every stored workout (found
    again in the stored samples), and the profile valid at each workout's start."""
    by_workout = stored.samples.partition_by("workout_id", as_dict=True, include_key=False)
    refs = []
    for w in stored.workouts.iter_rows(named=True):
        frame = by_workout.get((w["workout_id"],))
        if frame is None:
            continue
        found = stored_evidence(frame, w["sport"], w["sub_sport"], config, totals=_device_totals(w))
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

    Each athlete's thresholds are estimated again from all their workouts first, so every
    workout is classified with the thresholds valid at its start, as an ingest does.
    """
    athletes = [a for a in workout_athletes(con) if athlete in (None, a)]
    total = changed = 0
    weeks: set[tuple[str, object]] = set()
    for a in athletes:
        with transaction(con):
            stored = stored_athlete(con, a)
            tl, profiles = history_profiles(a, stored, config)
            old, new, children = _reclassify(a, config, stored, profiles)
            total += new.height
            changed += changed_count(old, new)
            replace_workouts(con, new, children)
            replace_thresholds(con, a, threshold_frame(tl.rows))
            weeks |= refresh_weeks(con, [a], config)
    return ReprocessResult(workouts=total, workouts_changed=changed, weeks_changed=len(weeks), model_version=config.model_version)
