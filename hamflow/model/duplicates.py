"""Two recordings of one workout: which one counts, and what the other adds to it.

A treadmill and the watch on the wrist, an erg and the watch, one file exported twice: the
same seconds recorded twice. Counting both doubles the week; keeping only one throws away what
only the other knows (the treadmill knows the incline, the watch the heart rate). So
recordings of one athlete that overlap by most of the shorter one form a group; one of them,
the *primary*, counts, and it is completed with the streams it lacks from the others, after
their clocks are aligned with its own. Pure functions over sample frames: the store decides
where the frames come from (docs/model.md, section 11).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from .config import Duplicates
from .grade import GradeSource

#: Streams a primary borrows when it has none of its own, in the order they are looked at.
BORROWED: tuple[str, ...] = ("heart_rate_bpm", "power_w", "cadence", "grade_pct")
#: Streams both recordings may share, compared to find the clock offset, most telling first.
SHARED: tuple[str, ...] = ("speed_mps", "cadence", "power_w", "heart_rate_bpm")
#: Grades a device measured; one derived from a watch's altitude indoors is worth nothing.
DEVICE_GRADES: frozenset[str] = frozenset({GradeSource.RECORD_GRADE.value, GradeSource.DEVELOPER_INCLINE.value})
#: Seconds of a shared stream that must overlap before a correlation is believed.
MIN_SHARED_S = 60
#: ``merged_streams`` entries read ``<column><-<workout_id>``, as ``sources`` do for FIT fields.
ARROW = "<-"


@dataclass(frozen=True)
class Recording:
    """One stored session as far as grouping needs it."""

    workout_id: str
    #: The file it came from: sessions of one file are parts of it (a multisport file's legs,
    #: or a summary session spanning them), never a second recording of each other.
    file_sha256: str
    start_utc: datetime
    duration_s: float
    #: Its own samples (nothing borrowed).
    samples: pl.DataFrame

    @property
    def end_utc(self) -> datetime:
        return self.start_utc + timedelta(seconds=self.duration_s)

    @property
    def knows_machine(self) -> bool:
        """Power or a measured incline: what a gym machine records and a watch cannot."""
        s = self.samples
        power = s.get_column("power_w").is_not_null().any()
        grade = s.height > 0 and s.get_column("grade_source")[0] in DEVICE_GRADES
        return bool(power or grade)

    @property
    def filled_values(self) -> int:
        """Non-null values over the streams: how dense the recording is."""
        return int(sum(self.samples.get_column(c).is_not_null().sum() for c in (*SHARED, "grade_pct")))

    def rank(self) -> tuple[bool, float, int, str]:
        """Sort key, best first: a machine's recording, then the longer, then the denser, then the
        workout id (the file's sha256), so the choice never depends on arrival order."""
        return (not self.knows_machine, -self.duration_s, -self.filled_values, self.workout_id)


@dataclass(frozen=True)
class Role:
    """What one recording is in its group; the stored ``workouts`` columns of the same names."""

    workout_id: str
    duplicate_of: str | None = None  # the primary's workout_id, for a secondary
    clock_offset_s: float | None = None  # a secondary's clock minus the primary's (s)
    merged_streams: tuple[str, ...] = ()  # a primary's borrowed streams, ``column<-workout_id``


def overlap_fraction(a: Recording, b: Recording) -> float:
    """Seconds both cover, as a fraction of the shorter one (0 when either has no length)."""
    shorter = min(a.duration_s, b.duration_s)
    if shorter <= 0:
        return 0.0
    shared = (min(a.end_utc, b.end_utc) - max(a.start_utc, b.start_utc)).total_seconds()
    return max(0.0, shared) / shorter


def clusters(recordings: Sequence[Recording], params: Duplicates) -> list[list[Recording]]:
    """Recordings of one workout together, by time alone (no samples needed); single recordings
    are left out. Pairs are joined transitively, so the clusters depend only on the set."""
    items = sorted(recordings, key=lambda r: (r.start_utc, r.workout_id))
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(items):
        for j in range(i + 1, len(items)):
            b = items[j]
            if b.start_utc >= a.end_utc:
                break  # sorted by start: no later one overlaps a
            if a.file_sha256 != b.file_sha256 and overlap_fraction(a, b) >= params.min_overlap_fraction:
                parent[root(j)] = root(i)
    members: dict[int, list[Recording]] = {}
    for i, r in enumerate(items):
        members.setdefault(root(i), []).append(r)
    return [m for m in members.values() if len(m) > 1]


def groups(recordings: Sequence[Recording], params: Duplicates) -> list[list[Recording]]:
    """:func:`clusters`, each best first (:meth:`Recording.rank`), in a stable order."""
    found = [sorted(m, key=Recording.rank) for m in clusters(recordings, params)]
    return sorted(found, key=lambda g: g[0].workout_id)


def _series(samples: pl.DataFrame, column: str, origin: datetime, length: int) -> np.ndarray:
    """``column`` on a 1 s grid of ``length`` seconds from ``origin`` (NaN where missing)."""
    out = np.full(length, np.nan)
    s = samples.select(
        ((pl.col("ts_utc") - pl.lit(origin)).dt.total_milliseconds() / 1000.0).round().cast(pl.Int64).alias("i"),
        pl.col(column).cast(pl.Float64),
    ).drop_nulls()
    s = s.filter((pl.col("i") >= 0) & (pl.col("i") < length))
    out[s.get_column("i").to_numpy()] = s.get_column(column).to_numpy()
    return out


def _correlation(a: np.ndarray, b: np.ndarray) -> float | None:
    both = ~(np.isnan(a) | np.isnan(b))
    if both.sum() < MIN_SHARED_S:
        return None
    x, y = a[both], b[both]
    if x.std() == 0 or y.std() == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def clock_offset(primary: pl.DataFrame, secondary: pl.DataFrame, params: Duplicates) -> tuple[int, str | None]:
    """Seconds the secondary's clock is ahead of the primary's, and the stream that showed it.

    For each stream both have, the secondary is slid by -max..+max seconds over the primary
    and the lag where they correlate best wins; the stream with the best correlation decides.
    No shared stream, or none correlating at ``min_alignment_r``: 0 (the clocks as recorded).
    """
    if primary.is_empty() or secondary.is_empty():
        return 0, None
    reach = params.max_clock_offset_s
    # Only the seconds both may cover, widened by the reach, are compared: the arrays stay as
    # long as the workout, whatever stray timestamps a damaged file carries elsewhere.
    spans = [f.select(pl.col("ts_utc").cast(pl.Datetime("us", "UTC")).min().alias("lo"),
                      pl.col("ts_utc").cast(pl.Datetime("us", "UTC")).max().alias("hi")).row(0) for f in (primary, secondary)]
    origin = max(spans[0][0], spans[1][0]) - timedelta(seconds=reach)
    end = min(spans[0][1], spans[1][1]) + timedelta(seconds=reach)
    length = int((end - origin).total_seconds()) + 1
    if length <= 2 * reach or length > 2 * (primary.height + secondary.height) + 2 * reach:
        return 0, None  # no common stretch, or one mostly gaps: nothing to line up
    best: tuple[float, int, int, int] | None = None  # (-r, |lag|, lag, stream's rank): smallest wins
    for rank, column in enumerate(SHARED):
        if primary.get_column(column).is_null().all() or secondary.get_column(column).is_null().all():
            continue
        a = _series(primary, column, origin, length)
        b = _series(secondary, column, origin, length)
        for lag in range(-reach, reach + 1):
            # the secondary's second i + lag happened at the primary's second i
            r = _correlation(a[max(0, -lag): length - max(0, lag)], b[max(0, lag): length - max(0, -lag)])
            if r is None or r < params.min_alignment_r:
                continue
            key = (-round(r, 9), abs(lag), lag, rank)
            if best is None or key < best:
                best = key
    if best is None:
        return 0, None
    return best[2], SHARED[best[3]]


def _aligned(donor: pl.DataFrame, column: str, offset_s: int) -> pl.DataFrame:
    return donor.select(
        (pl.col("ts_utc").cast(pl.Datetime("us", "UTC")) - pl.duration(seconds=offset_s)).alias("_at"),
        pl.col(column).alias("_value"),
    ).drop_nulls().sort("_at")


def merged(primary: pl.DataFrame, donors: Sequence[tuple[str, pl.DataFrame, int]]) -> tuple[pl.DataFrame, tuple[str, ...]]:
    """The primary's samples completed with the streams it lacks entirely, each from the first
    donor (``(workout_id, samples, clock offset)``, best first) that has it, at the donor's
    second nearest the primary's (within 1 s) after its clock is set back by its offset.

    A stream the primary has even in part is never touched: what a recording measured itself
    is not overwritten. A grade is borrowed only when measured by a device (an incline), and
    brings its source with it. Returns the frame and the ``column<-workout_id`` taken.
    """
    out = primary.sort("ts_utc")
    taken: list[str] = []
    for column in BORROWED:
        if not out.get_column(column).is_null().all():
            continue
        for wid, donor, offset in donors:
            if donor.is_empty() or donor.get_column(column).is_null().all():
                continue
            source = donor.get_column("grade_source")[0] if column == "grade_pct" else None
            if column == "grade_pct" and source not in DEVICE_GRADES:
                continue
            joined = out.with_columns(pl.col("ts_utc").cast(pl.Datetime("us", "UTC")).alias("_at")).join_asof(
                _aligned(donor, column, offset), on="_at", strategy="nearest", tolerance=timedelta(seconds=1))
            out = joined.with_columns(pl.col("_value").cast(out.schema[column]).alias(column)).drop("_at", "_value")
            if source is not None:
                out = out.with_columns(pl.lit(source).alias("grade_source"))
            taken.append(f"{column}{ARROW}{wid}")
            break
    return out, tuple(taken)


def own(samples: pl.DataFrame, merged_streams: Sequence[str] | None) -> pl.DataFrame:
    """A recording's own samples: the streams it borrowed (``merged_streams``) emptied again.
    Only wholly missing streams are ever borrowed, so this restores what it recorded."""
    columns = [entry.split(ARROW, 1)[0] for entry in merged_streams or ()]
    if not columns:
        return samples
    out = samples.with_columns(pl.lit(None, dtype=samples.schema[c]).alias(c) for c in columns)
    if "grade_pct" in columns:
        out = out.with_columns(pl.lit(GradeSource.NONE.value).alias("grade_source"))
    return out


def roles(recordings: Sequence[Recording], params: Duplicates) -> tuple[dict[str, Role], dict[str, pl.DataFrame]]:
    """Every recording's role, and the merged samples of each primary that borrowed a stream."""
    found = {r.workout_id: Role(r.workout_id) for r in recordings}
    frames: dict[str, pl.DataFrame] = {}
    for group in groups(recordings, params):
        primary, rest = group[0], group[1:]
        donors = [(r.workout_id, r.samples, clock_offset(primary.samples, r.samples, params)[0]) for r in rest]
        for wid, _, offset in donors:
            found[wid] = Role(wid, duplicate_of=primary.workout_id, clock_offset_s=float(offset))
        frame, taken = merged(primary.samples, donors)
        found[primary.workout_id] = Role(primary.workout_id, merged_streams=taken)
        if taken:
            frames[primary.workout_id] = frame
    return found, frames


def recordings_of(workouts: pl.DataFrame, samples: Mapping[str, pl.DataFrame] | None = None) -> list[Recording]:
    """Recordings from stored ``workouts`` rows (``workout_id``, ``file_sha256``, ``start_utc``,
    ``duration_s``) and each workout's own samples; a workout without samples is left out.
    Without ``samples``, spans only (enough for :func:`clusters`)."""
    # The four columns as tuples, and one empty frame for every span: a nightly run asks this of
    # each athlete's whole history, and a dict of every column per row was most of its cost.
    spans = workouts.select("workout_id", "file_sha256", "start_utc", "duration_s").iter_rows()
    no_samples = pl.DataFrame()
    return [
        Recording(wid, sha256, start, float(duration or 0.0), samples[wid] if samples is not None else no_samples)
        for wid, sha256, start, duration in spans
        if (samples is None or wid in samples) and start is not None
    ]
