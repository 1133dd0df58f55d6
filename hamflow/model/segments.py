"""Contiguous segments: the workout told as a handful of stretches instead of 3600 seconds.

Per-second patterns flicker at their boundaries (a speed reading either side of 2.0 m/s, a grade
either side of 5 %). For a readable story, runs of one pattern shorter than ``segment_min_s``
(default 15 s) are absorbed by the stretch before them (or after, at the start). Efforts are the
exception: a run of high-speed seconds (HSR, SPRINT, HILL_SPRINT) of at least the effort length
stays a segment of its own, named after the pattern it spent most seconds in, so an 8-second
sprint between walks is still shown. A pause in the data always ends a segment.

Segments are only for reading: every load, share and class is computed from the seconds, so
merging never changes a number of the workout.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Final

import polars as pl

from .patterns import FAST, SPECS, consecutive_run_id
from .query import collect
from .sessions import stack, unstack
from .stable import stable_mean, stable_sum

SEGMENT_SCHEMA: dict[str, pl.DataType] = {
    "segment_index": pl.Int32(),
    "pattern": pl.String(),
    "start_utc": pl.Datetime("us", "UTC"),
    "end_utc": pl.Datetime("us", "UTC"),
    "duration_s": pl.Float64(),
    "distance_m": pl.Float64(),
    "mean_speed_mps": pl.Float64(),
    "mean_grade_pct": pl.Float64(),
    "mean_power_w": pl.Float64(),
    "mean_if": pl.Float64(),
    "posterior_load": pl.Float64(),
    "quad_load": pl.Float64(),
}

#: Which fast pattern names a mixed run of fast seconds when they tie on time.
_FAST_RANK = {p.value: SPECS[p].fast_rank for p in FAST}


def segment_labels(samples: pl.DataFrame, *, min_seconds: int, effort_min_samples: int) -> pl.Series:
    """The segment label of every second (see the module docstring)."""
    labelled = _with_labels(samples.lazy().select("ts_utc", "pattern"), min_seconds, effort_min_samples, ())
    return collect(labelled.select("segment_pattern")).to_series()


def _with_labels(frame: pl.LazyFrame, min_seconds: int, effort_min_samples: int, keys: tuple[str, ...]) -> pl.LazyFrame:
    """``frame`` (``ts_utc`` and ``pattern`` at least, and the columns ``keys``) with its
    ``segment_pattern``: each session of ``keys`` labelled on its own."""
    for step in _label_steps(min_seconds, effort_min_samples, keys):
        frame = frame.with_columns(*step)
    return frame


@lru_cache(maxsize=16)
def _label_steps(min_seconds: int, effort_min_samples: int, keys: tuple[str, ...]) -> tuple[tuple[pl.Expr, ...], ...]:
    """The successive column steps of :func:`_with_labels`: the same for every session of a
    config, so built once. Every window is also over ``keys``: a run id may continue from one
    session into the next (one second apart, the same pattern), a window never does."""
    fast = pl.col("pattern").is_in([p.value for p in FAST])
    runs = (
        consecutive_run_id(fast).alias("_fast_run"),
        consecutive_run_id(pl.col("pattern")).alias("_run"),
        fast.alias("_fast"),
    )
    lengths = (
        pl.len().over([*keys, "_fast_run"]).alias("_fast_len"),
        pl.len().over([*keys, "_run"]).alias("_len"),
        pl.len().over([*keys, "_fast_run", "pattern"]).alias("_seconds_in_run"),
        pl.col("pattern").replace_strict(_FAST_RANK, default=0, return_dtype=pl.Int32).alias("_rank"),
    )
    fast_name = pl.col("pattern").sort_by(["_seconds_in_run", "_rank"]).last().over([*keys, "_fast_run"])
    labels = (
        pl.when(pl.col("_fast") & (pl.col("_fast_len") >= effort_min_samples))
        .then(fast_name)
        .when(~pl.col("_fast") & (pl.col("_len") >= min_seconds))
        .then(pl.col("pattern"))
        .alias("_label"),
        # Short runs join the stretch before them, within one block of consecutive seconds.
        (pl.col("ts_utc").diff().dt.total_seconds().fill_null(1) != 1).cum_sum().alias("_block"),
    )
    return (
        runs,
        lengths,
        labels,
        (pl.col("_label").forward_fill().over([*keys, "_block"]),),
        (pl.col("_label").backward_fill().over([*keys, "_block"]),),
        (pl.coalesce("_label", "pattern").alias("segment_pattern"),),
    )


def segments(samples: pl.DataFrame, *, min_seconds: int, effort_min_samples: int) -> pl.DataFrame:
    """The segments frame of a classified samples frame (columns of :data:`SEGMENT_SCHEMA`).

    One lazy query from the samples to the segments: labels, runs and sums."""
    return segments_of([samples], min_seconds=min_seconds, effort_min_samples=effort_min_samples)[0]


def segments_of(sessions: Sequence[pl.DataFrame], *, min_seconds: int, effort_min_samples: int) -> list[pl.DataFrame]:
    """:func:`segments` of each of several sessions' samples, in one query over all of them.

    A window or group-by costs about as much for an hour of seconds as for a day's: the
    sessions are stacked, every window and group is also over the session, and the frame is cut
    back into sessions at the end, each what :func:`segments` gives for it alone (the same rows
    summed in the same order)."""
    stacked, keys = stack(sessions, _SEGMENT_READS)
    if stacked is None:
        return [pl.DataFrame(schema=SEGMENT_SCHEMA) for _ in sessions]
    frame = _with_labels(stacked.lazy(), min_seconds, effort_min_samples, keys).with_columns(_SEGMENT_ID)
    index = pl.int_range(pl.len(), dtype=pl.Int32).over(keys) if keys else pl.int_range(pl.len(), dtype=pl.Int32)
    out = (
        frame.group_by([*keys, "_segment"], maintain_order=True)
        .agg(*_segment_sums())
        .with_columns(index.alias("segment_index"))
        .select(*keys, *SEGMENT_SCHEMA)
        .cast(SEGMENT_SCHEMA)  # type: ignore[arg-type]
    )
    return unstack(collect(out), len(sessions), keys, SEGMENT_SCHEMA)


#: The columns of the samples that segments read.
_SEGMENT_READS: Final = ("ts_utc", "pattern", "dt_s", "speed_mps", "grade_pct", "power_w", "intensity_factor",
                         "posterior_load", "quad_load")

_SEGMENT_ID: Final = consecutive_run_id(pl.col("segment_pattern")).alias("_segment")


@lru_cache(maxsize=1)
def _segment_sums() -> tuple[pl.Expr, ...]:
    """Each segment's columns from its seconds (built once: they take no parameters)."""
    speed = pl.col("speed_mps")
    return (
        pl.col("segment_pattern").first().alias("pattern"),
        pl.col("ts_utc").first().alias("start_utc"),
        (pl.col("ts_utc").last() + pl.duration(seconds=pl.col("dt_s").last())).alias("end_utc"),
        stable_sum(pl.col("dt_s")).alias("duration_s"),
        pl.when(speed.is_not_null().any()).then(stable_sum(speed.fill_null(0.0) * pl.col("dt_s"))).alias("distance_m"),
        stable_mean(speed).alias("mean_speed_mps"),
        stable_mean(pl.col("grade_pct")).alias("mean_grade_pct"),
        stable_mean(pl.col("power_w")).alias("mean_power_w"),
        stable_mean(pl.col("intensity_factor")).alias("mean_if"),
        stable_sum(pl.col("posterior_load")).alias("posterior_load"),
        stable_sum(pl.col("quad_load")).alias("quad_load"),
    )
