"""Instants as polars values, without polars' per-value time zone conversion.

Turning a time-zone-aware ``datetime`` into a polars literal or Series runs a conversion query
per call; the model builds a few of these for every session. An instant is a count of
microseconds since the epoch, so it is passed as that integer and cast, which is the same
value at no query cost. A naive ``datetime`` is taken as UTC, as polars takes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Final

import polars as pl

UTC_US: Final = pl.Datetime("us", "UTC")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_US: Final = timedelta(microseconds=1)


def micros(t: datetime) -> int:
    """Microseconds from the epoch to ``t`` (exact: integer arithmetic)."""
    aware = t if t.tzinfo is not None else t.replace(tzinfo=UTC)
    return (aware - _EPOCH) // _US


def utc_literal(t: datetime) -> pl.Expr:
    """``t`` as a UTC microsecond literal."""
    return pl.lit(micros(t), dtype=pl.Int64).cast(UTC_US)


def utc_series(times: Iterable[datetime]) -> pl.Series:
    """``times`` as a UTC microsecond Series."""
    return pl.Series([micros(t) for t in times], dtype=pl.Int64).cast(UTC_US)
