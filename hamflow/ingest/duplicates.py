"""After a run's writes: recordings of one workout counted once, the primary completed.

A worker sees one file, never the watch file that recorded the same row as the erg's, so each
is written as a single recording. This step then looks at each athlete's stored workouts
together (:mod:`hamflow.model.duplicates`): it groups the recordings of one workout, marks the
secondaries (``workouts.duplicate_of``), and classifies again, from stored samples, every
primary whose borrowed streams changed and every former primary that lends instead now, all in
one transaction per athlete. Everything is worked out again from the recordings' own samples
each time, so the tables depend only on the set of files, not on the order or the nights they
arrived in. Calibration runs after it and sees the merged samples.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import duckdb
import polars as pl

from ..model import HamflowConfig
from ..model.duplicates import Role, clusters, own, recordings_of, roles
from ..store.connection import transaction
from ..store.faults import crash_point
from ..store.rewrite import ROLE_SCHEMA, StoredAthlete, replace_roles, replace_workouts, stored_athlete, stored_workouts, workout_athletes
from ..store.weeks import refresh_weeks
from .calibrate import profiles_used
from .reclassify import reclassify_stored, stored_role


@dataclass(frozen=True)
class Merge:
    """What the step changed."""

    #: Stored recordings that are the second recording of a workout (all athletes).
    secondaries: int = 0
    #: Workouts classified again because the streams they borrow changed.
    workouts_rederived: int = 0
    weeks: frozenset[tuple[str, object]] = field(default_factory=frozenset)


def _signature(role: Role, all_roles: Mapping[str, Role]) -> tuple[tuple[str, ...], tuple[tuple[str, float | None], ...]]:
    """What a primary's merged samples depend on: the streams it borrowed and its donors' offsets."""
    donors = sorted((r.workout_id, r.clock_offset_s) for r in all_roles.values() if r.duplicate_of == role.workout_id)
    return role.merged_streams, tuple(donors)


def _role_frame(found: list[Role]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"workout_id": r.workout_id, "duplicate_of": r.duplicate_of, "clock_offset_s": r.clock_offset_s,
          "merged_streams": list(r.merged_streams)} for r in found],
        schema=ROLE_SCHEMA,
    )


def merge_athlete(con: duckdb.DuckDBPyConnection, athlete: str, config: HamflowConfig) -> tuple[int, int, frozenset[tuple[str, object]]]:
    """Group and merge one athlete's recordings; call inside a transaction.
    Returns (secondaries, workouts classified again, weeks changed)."""
    rows = stored_workouts(con, athlete)
    # Only sessions that overlap another, or had a role, can change: only their samples are read.
    had_role = rows.filter(pl.col("duplicate_of").is_not_null() | (pl.col("merged_streams").list.len() > 0))
    overlapping = [r.workout_id for c in clusters(recordings_of(rows), config.model.duplicates) for r in c]
    relevant = sorted({*overlapping, *had_role.get_column("workout_id").to_list()})
    if not relevant:
        return 0, 0, frozenset()
    stored = stored_athlete(con, athlete, only=relevant)
    before = {w["workout_id"]: stored_role(w) for w in stored.workouts.iter_rows(named=True)}
    by_workout = {wid: frame for (wid,), frame in stored.samples.partition_by("workout_id", as_dict=True, include_key=False).items()}
    mine = {wid: own(frame, before[wid].merged_streams).sort("ts_utc") for wid, frame in by_workout.items() if wid in before}
    after, merged_frames = roles(recordings_of(stored.workouts, mine), config.model.duplicates)
    after = {wid: after.get(wid, Role(wid)) for wid in before}
    changed = sorted(wid for wid in before if after[wid] != before[wid])
    # Samples change when what a workout borrows changes: a new or re-aligned donor, or a
    # former primary that lends now and gets its own samples back.
    rederive = sorted(
        wid for wid in before
        if (before[wid].merged_streams or after[wid].merged_streams)
        and _signature(before[wid], before) != _signature(after[wid], after)
    )
    secondaries = sum(1 for r in after.values() if r.duplicate_of)
    if not changed and not rederive:
        return secondaries, 0, frozenset()
    replace_roles(con, _role_frame([after[wid] for wid in changed]))
    if rederive:
        samples = pl.concat(
            [merged_frames.get(wid, mine[wid]).with_columns(pl.lit(wid).alias("workout_id")) for wid in rederive if wid in mine],
            how="diagonal_relaxed",
        )
        roles_now = _role_frame([after[wid] for wid in rederive])
        workouts = stored.workouts.drop([c for c in ROLE_SCHEMA if c != "workout_id"]).join(roles_now, on="workout_id")
        _, new, children = reclassify_stored(athlete, config, StoredAthlete(workouts, samples, stored.strength_sets),
                                             profiles_used(con, athlete, config), only=rederive)
        replace_workouts(con, new, children)
    return secondaries, len(rederive), refresh_weeks(con, [athlete], config)


def merge_recordings(con: duckdb.DuckDBPyConnection, config: HamflowConfig) -> Merge:
    """Bring every athlete's recordings of one workout in step (see the module docstring)."""
    secondaries = rederived = 0
    weeks: set[tuple[str, object]] = set()
    for athlete in workout_athletes(con):
        with transaction(con):
            n, m, athlete_weeks = merge_athlete(con, athlete, config)
            crash_point("duplicates:athlete")
        secondaries += n
        rederived += m
        weeks |= athlete_weeks
    return Merge(secondaries, rederived, frozenset(weeks))
