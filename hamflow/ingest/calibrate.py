"""After a run's writes: bring every athlete's thresholds and the workouts judged by them in step.

A worker classifies a new workout with the thresholds its own samples show, since it cannot see
the athlete's other files. Once the batches are written, each athlete's timeline is computed
again from all their stored candidates (``workout_evidence``); every workout whose thresholds
at its start differ from those it was classified with (``threshold_used``) is classified again
from its stored samples, as ``reprocess`` does, and the athlete's weeks are refreshed, all in
one transaction per athlete. So the results depend only on the set of files, not on the order
or the runs they arrived in; a crash before this step is repaired by the next run's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import polars as pl

from ..model import AthleteProfile, HamflowConfig
from ..model.thresholds import Candidate, WorkoutRef, profile_with, timeline
from ..store.connection import transaction
from ..store.faults import crash_point
from ..store.rewrite import replace_workouts, stored_athlete, workout_athletes
from ..store.thresholds import replace_thresholds, stored_evidence, stored_thresholds, threshold_frame
from ..store.weeks import refresh_weeks
from .reclassify import reclassify_stored

#: Workouts classified again per piece (about 100,000 samples at an hour each).
RECLASSIFY_WORKOUTS = 32


@dataclass(frozen=True)
class Recalibration:
    """What the step changed."""

    workouts_recalibrated: int = 0
    athletes: tuple[str, ...] = ()
    weeks: frozenset[tuple[str, object]] = field(default_factory=frozenset)


def _refs(evidence: pl.DataFrame) -> tuple[list[WorkoutRef], dict[str, dict[str, float]]]:
    """Timeline inputs from stored evidence rows, and the thresholds each workout was classified with."""
    found: dict[str, dict[str, Candidate]] = {}
    starts: dict[str, object] = {}
    used: dict[str, dict[str, float]] = {}
    # Column by column rather than a dict per row: a nightly run reads every athlete's whole
    # history here, and building a dict for each of its rows made this the run's largest cost
    # that grows with the history.
    columns = (evidence.get_column(c).to_list() for c in ("workout_id", "start_utc", "metric", "value", "evidence",
                                                            "threshold_used"))
    for wid, start, metric, value, text, threshold in zip(*columns, strict=True):
        starts[wid] = start
        used.setdefault(wid, {})[metric] = threshold
        candidates = found.setdefault(wid, {})
        if value is not None:
            candidates[metric] = Candidate(metric, value, text or "")
    refs = [WorkoutRef(wid, starts[wid], found[wid]) for wid in found]  # type: ignore[arg-type]
    return refs, used


def profiles_used(con: duckdb.DuckDBPyConnection, athlete: str, config: HamflowConfig) -> dict[str, AthleteProfile]:
    """The profile each of ``athlete``'s stored workouts was classified with, so a workout can
    be classified again (with new samples) without moving its thresholds: this step then sees
    whether they must move."""
    _, used = _refs(stored_evidence(con, [athlete]))
    base = config.profile(athlete)
    return {wid: profile_with(base, values) for wid, values in used.items()}


def calibrate_athlete(con: duckdb.DuckDBPyConnection, athlete: str, config: HamflowConfig) -> tuple[int, frozenset[tuple[str, object]]]:
    """Recompute one athlete's timeline and reclassify the workouts it changes; call inside a
    transaction. Returns (workouts reclassified, weeks changed)."""
    refs, used = _refs(stored_evidence(con, [athlete]))
    tl = timeline(athlete, refs, config)
    stale = sorted(wid for wid, values in tl.at.items() if values != used.get(wid))
    rows = threshold_frame(tl.rows)
    if not stale and rows.equals(stored_thresholds(con, [athlete])):
        return 0, frozenset()
    weeks: frozenset[tuple[str, object]] = frozenset()
    if stale:
        base = config.profile(athlete)
        profiles = {wid: profile_with(base, tl.at[wid]) for wid in stale}
        # Only the stale workouts' samples are read: a night's new workout usually moves no one
        # else's thresholds, and reading the athlete's whole history to find that out would make
        # every nightly run cost as much as the history is long.
        # A few workouts at a time: a first run recalibrates most of a year, and holding all of
        # its samples and their reclassified rows at once took over a gigabyte. Each workout is
        # classified from its own samples, so the pieces give the same rows as one pass.
        for start in range(0, len(stale), RECLASSIFY_WORKOUTS):
            piece = stale[start:start + RECLASSIFY_WORKOUTS]
            stored = stored_athlete(con, athlete, only=piece)
            _, new, children = reclassify_stored(athlete, config, stored, profiles, only=piece)
            replace_workouts(con, new, children)
        weeks = refresh_weeks(con, [athlete], config)
    replace_thresholds(con, athlete, rows)
    return len(stale), weeks


def calibrate(con: duckdb.DuckDBPyConnection, config: HamflowConfig) -> Recalibration:
    """Bring every athlete's thresholds and workouts in step (see the module docstring)."""
    total = 0
    changed: list[str] = []
    weeks: set[tuple[str, object]] = set()
    for athlete in workout_athletes(con):
        with transaction(con):
            n, athlete_weeks = calibrate_athlete(con, athlete, config)
            crash_point("calibrate:athlete")
        if n:
            changed.append(athlete)
        total += n
        weeks |= athlete_weeks
    return Recalibration(total, tuple(changed), frozenset(weeks))
