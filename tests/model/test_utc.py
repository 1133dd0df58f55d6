"""Instants handed to polars as integers are the values polars makes of the datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import polars as pl

from hamflow.model.utc import UTC_US, utc_literal, utc_series

INSTANTS = (
    datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC),
    datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=2))),
    datetime(2025, 7, 4, 6, 7, 8, 9),
)


def test_an_instant_is_the_value_polars_makes_of_the_datetime() -> None:
    for t in INSTANTS:
        expected = pl.select(pl.lit(t).cast(UTC_US)).item()
        assert pl.select(utc_literal(t)).item() == expected, t
    aware = pl.Series(INSTANTS[:3], dtype=UTC_US).to_list()
    naive = pl.select(pl.lit(INSTANTS[3]).cast(UTC_US)).item()
    assert utc_series(INSTANTS).to_list() == [*aware, naive]
    assert utc_series(()).dtype == UTC_US
