"""Classifying stored workouts again from their samples: the model's side of ``hamflow
reprocess``, of calibration (thresholds moved) and of the merge of two recordings (a primary
completed with another's streams). The FIT files are not needed: ``samples`` keeps every
second's signals.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import polars as pl

from ..fit import StrengthSet
from ..model import AthleteProfile, ClassifiedSession, HamflowConfig
from ..model.classify import StoredWorkout, reclassify_all
from ..model.duplicates import Role
from ..model.quality import DeviceTotals
from ..store.rewrite import CHILD_TABLES, StoredAthlete
from .prepare import evidence_frame, workout_frame, workout_record


def _sets(rows: pl.DataFrame) -> list[StrengthSet]:
    return [
        StrengthSet(ts_utc=r["ts_utc"], set_type="active", categories=tuple(r["categories"] or ()),
                    repetitions=r["repetitions"], weight_kg=r["weight_kg"], duration_s=r["duration_s"])
        for r in rows.iter_rows(named=True)
    ]


_DEVICE_COLUMNS = ("device_elapsed_s", "device_timer_s", "device_distance_m", "device_max_speed_mps",
                   "device_max_power_w", "device_ascent_m")


def device_totals(w: dict[str, object]) -> DeviceTotals:
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


def stored_role(w: Mapping[str, Any]) -> Role:
    """A stored workout's role among the recordings of one workout (single before migration 006)."""
    return Role(w["workout_id"], duplicate_of=w.get("duplicate_of"), clock_offset_s=w.get("clock_offset_s"),
                merged_streams=tuple(w.get("merged_streams") or ()))


def reclassify_stored(
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
    rows = [w for w in old.iter_rows(named=True) if (w["workout_id"],) in by_workout]
    for at in range(0, len(rows), RECLASSIFY_TOGETHER):
        chunk = rows[at:at + RECLASSIFY_TOGETHER]
        classified = reclassify_all([_stored(w, athlete, by_workout, sets_by_workout, profiles) for w in chunk], config)
        for w, cs in zip(chunk, classified, strict=True):
            _collect_rows(w, cs, athlete, config, records, children)
    new_rows = workout_frame(records) if records else old.clear()
    return old, new_rows, {t: pl.concat(f, how="diagonal_relaxed") for t, f in children.items() if f}


#: Workouts classified again together (their queries run in step): as many as a run's prepare
#: classifies at once, so that what they hold meanwhile stays small.
RECLASSIFY_TOGETHER = 8


def _stored(w: dict[str, Any], athlete: str, by_workout: Mapping[tuple[Any, ...], pl.DataFrame],
            sets_by_workout: Mapping[tuple[Any, ...], pl.DataFrame], profiles: Mapping[str, AthleteProfile]) -> StoredWorkout:
    wid = w["workout_id"]
    worked = sets_by_workout.get((wid,))
    return StoredWorkout(
        by_workout[(wid,)], w["sport"], w["sub_sport"], athlete_id=athlete, profile=profiles.get(wid),
        sets=_sets(worked) if worked is not None else (), session_index=w["session_index"], start_utc=w["start_utc"],
        elapsed_s=w["duration_s"], distance_m=w["distance_m"], totals=device_totals(w),
    )


def _collect_rows(w: Mapping[str, Any], cs: ClassifiedSession, athlete: str, config: HamflowConfig,
                  records: list[dict[str, object]], children: dict[str, list[pl.DataFrame]]) -> None:
    """Add one workout classified again to the workout records and the child tables' rows."""
    wid = w["workout_id"]
    records.append(workout_record(cs.summary, wid=wid, sha=w["file_sha256"], athlete_id=athlete,
                                  device_utc_offset_min=w["device_utc_offset_min"],
                                  timezone=config.profile(athlete).timezone, role=stored_role(w)))
    tag = pl.lit(wid).alias("workout_id")
    rows = (("samples", cs.samples), ("segments", cs.segments), ("workout_patterns", cs.patterns), ("strength_sets", cs.sets))
    for table, new in rows:
        if not new.is_empty():
            children[table].append(new.with_columns(tag))
    children["workout_evidence"].append(evidence_frame(cs, wid=wid, athlete_id=athlete, start_utc=w["start_utc"]))
