"""Efforts: runs of consecutive seconds above a threshold.

An effort is at least ``effort_min_samples`` (default 2) consecutive 1 Hz samples that meet
its condition: sprinting (SPRINT or HILL_SPRINT), high-speed running or faster (HSR and up), or
reaching 95 % of vmax. One second alone is not an effort, so a single GPS spike does not make a
sprint (vendors count from 1 s; Varley et al. 2017 show the choice changes the counts). A pause
in the data (a gap longer than the regularisation fills) ends an effort; a second just below the
threshold does too.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Final

import polars as pl

from .patterns import FAST, SPRINTS, consecutive_run_id
from .query import collect
from .sessions import stack, unstack
from .stable import stable_sum

EFFORT_SCHEMA: dict[str, pl.DataType] = {
    "kind": pl.String(),
    "start_utc": pl.Datetime("us", "UTC"),
    "duration_s": pl.Float64(),
    "distance_m": pl.Float64(),
    "max_speed_mps": pl.Float64(),
}

EFFORT_KINDS: dict[str, pl.Expr] = {
    "sprint": pl.col("pattern").is_in([p.value for p in SPRINTS]),
    "high_speed": pl.col("pattern").is_in([p.value for p in FAST]),
    "maxv": pl.col("maxv"),
}


def efforts(samples: pl.DataFrame, *, min_samples: int) -> pl.DataFrame:
    """Every effort of every kind in a classified samples frame, in time order per kind."""
    return efforts_of([samples], min_samples=min_samples)[0]


def efforts_of(sessions: Sequence[pl.DataFrame], *, min_samples: int) -> list[pl.DataFrame]:
    """:func:`efforts` of each of several sessions' samples, in one lazy query with one
    group-by for all sessions and kinds (:mod:`.sessions`): the seconds of each kind are
    stacked one copy after the other (within a session, a copy's first second never continues
    the run before it: its time goes back; across sessions the session key parts them), so each
    group is one run of one kind of one session, summed in row order as alone, and a group-by's
    fixed cost is paid once rather than once per kind and session. Each session's rows keep
    their order when the result is cut back into sessions: its kinds in order, each in time."""
    stacked, keys = stack(sessions, _EFFORT_READS)
    if stacked is None:
        return [pl.DataFrame(schema=EFFORT_SCHEMA) for _ in sessions]
    frame = stacked.lazy().select(*keys, *_EFFORT_READS)
    run, sums, long_enough = _run_exprs(min_samples)
    out = (
        pl.concat([frame.with_columns(*flag) for flag in _kind_flags()])
        .with_columns(run)
        .filter(pl.col("_flag"))
        .group_by([*keys, "_run"], maintain_order=True)
        .agg(pl.col("kind").first(), *sums)
        .filter(long_enough)
        .select(*keys, *EFFORT_SCHEMA)
        .cast(EFFORT_SCHEMA)  # type: ignore[arg-type]
    )
    return unstack(collect(out), len(sessions), keys, EFFORT_SCHEMA)


#: The columns of the samples that efforts read.
_EFFORT_READS: Final = ("ts_utc", "dt_s", "speed_mps", "pattern", "maxv")


@lru_cache(maxsize=16)
def _run_exprs(min_samples: int) -> tuple[pl.Expr, tuple[pl.Expr, ...], pl.Expr]:
    """The run id, the sums per run and the length test of :func:`efforts`: the same for every
    session of a config, so built once. A run ends where the kind's flag changes or a second
    is missing (and so where one kind's copy of the seconds ends and the next one's begins)."""
    sums = (
        pl.col("ts_utc").first().alias("start_utc"),
        stable_sum(pl.col("dt_s")).alias("duration_s"),
        stable_sum(pl.col("speed_mps").fill_null(0.0) * pl.col("dt_s")).alias("distance_m"),
        pl.col("speed_mps").max().alias("max_speed_mps"),
        pl.len().alias("_n"),
    )
    return consecutive_run_id(pl.col("_flag")).alias("_run"), sums, pl.col("_n") >= min_samples


@lru_cache(maxsize=1)
def _kind_flags() -> tuple[tuple[pl.Expr, pl.Expr], ...]:
    """Per effort kind, its flag column and its name (built once)."""
    return tuple((flag.fill_null(False).alias("_flag"), pl.lit(kind).alias("kind")) for kind, flag in EFFORT_KINDS.items())


def count_efforts(effort_frame: pl.DataFrame, kind: str) -> int:
    return int((effort_frame.get_column("kind") == kind).sum())
