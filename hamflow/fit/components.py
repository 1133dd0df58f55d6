"""Record fields fitparse expands into others, computed from their bytes as fitparse does.

A few record fields carry other fields packed inside (``compressed_speed_distance`` holds a
speed and the low bits of a distance that fitparse accumulates; ``cycles`` and
``compressed_accumulated_power`` the low bits of running totals). fitfast 0.1 expands them
differently or not at all, so the fast path's message scan notes where each such field sits
(:class:`RawField`) and this module reads the bytes in whole arrays and gives fitparse's values.

fitparse's accumulation: each new value adds its distance, modulo the field's bit width, from
the previous value's low bits; the running total starts at zero with each FIT block and again
at each record definition that declares the field. Invalid values (all bytes 0xFF) neither add
nor yield a value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

#: compressed_speed_distance: 12 bits of speed (1/100 m/s), then 12 bits of distance (1/16 m).
_SPEED_BITS = 12
_SPEED_SCALE = 100.0
_DISTANCE_BITS = 12
_DISTANCE_SCALE = 16.0
SPEED_DISTANCE = 8
_INVALID_UINT32 = 0xFFFFFFFF
SPEED_DISTANCE_SIZE = 3


@dataclass
class RawField:
    """Where one record field sits in the records of one FIT block."""

    size: int
    #: Index of each record (within the block) whose definition declares the field.
    rows: list[int] = field(default_factory=list)
    #: Offset of the field's first byte in the block, per such record.
    starts: list[int] = field(default_factory=list)
    #: How many definitions declaring the field came before each such record: fitparse restarts
    #: its running total at each.
    epochs: list[int] = field(default_factory=list)
    #: Definitions declaring the field so far.
    declarations: int = 0

    def add(self, row: int, start: int) -> None:
        self.rows.append(row)
        self.starts.append(start)
        self.epochs.append(self.declarations)

    def values(self, block: bytes) -> np.ndarray:
        """The field's bytes, one row per record that declares it."""
        buffer = np.frombuffer(block, dtype=np.uint8)
        values: np.ndarray = buffer[np.asarray(self.starts, dtype=np.int64)[:, None] + np.arange(self.size)]
        return values

    def valid(self, block: bytes) -> np.ndarray:
        """Per record that declares the field: does it hold a value (fitparse: not None)?"""
        valid: np.ndarray = ~(self.values(block) == 0xFF).all(axis=1)
        return valid


def speed_distance(block: bytes, raw: RawField, count: int) -> tuple[pl.Series, pl.Series]:
    """fitparse's ``speed`` and ``distance`` from ``compressed_speed_distance``, one row per record.

    Null where a record does not declare the field or holds no value there.
    """
    data = raw.values(block).astype(np.int64)
    packed = data[:, 0] | data[:, 1] << 8 | data[:, 2] << 16
    frame = pl.DataFrame(
        {
            "row": np.asarray(raw.rows, dtype=np.int64),
            "epoch": np.asarray(raw.epochs, dtype=np.int64),
            "speed": packed & ((1 << _SPEED_BITS) - 1),
            "low": packed >> _SPEED_BITS & ((1 << _DISTANCE_BITS) - 1),
        }
    ).filter(pl.Series(raw.valid(block)))
    wrap = 1 << _DISTANCE_BITS
    step = (pl.col("low") - pl.col("low").shift(1, fill_value=0).over("epoch") + wrap) % wrap
    totals = frame.select("row", "speed", step.cum_sum().over("epoch").alias("distance"))
    rows = pl.DataFrame({"row": np.arange(count, dtype=np.int64)}).join(totals, on="row", how="left")
    # Scaled in numpy: polars divides by a constant as a multiplication by its inverse, which
    # can differ from fitparse's division in the last bit.
    speed, distance = (
        pl.Series(name, rows.get_column(name).cast(pl.Float64).to_numpy() / scale, nan_to_null=True)
        for name, scale in (("speed", _SPEED_SCALE), ("distance", _DISTANCE_SCALE))
    )
    return speed, distance


def scaled_uint32(block: bytes, raw: RawField, count: int, scale: float, offset: float) -> pl.Series:
    """A little-endian uint32 field's values as fitparse scales them, one row per record.

    Null where a record does not declare the field or holds no value there (0xFFFFFFFF).
    """
    data = raw.values(block).astype(np.uint64)
    number = data[:, 0] | data[:, 1] << 8 | data[:, 2] << 16 | data[:, 3] << 24
    values = np.full(count, np.nan)
    # fitparse: float(raw) / scale, then minus the offset; the same operations in numpy.
    scaled = number.astype(np.float64) / scale
    values[np.asarray(raw.rows, dtype=np.int64)] = scaled - offset if offset else scaled
    values[np.asarray(raw.rows, dtype=np.int64)[number == _INVALID_UINT32]] = np.nan
    return pl.Series(values, nan_to_null=True)
