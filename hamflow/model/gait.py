"""Walking or running, told by the feet when the file has a cadence.

Speed alone cannot tell a slow jog from a brisk walk: people jog at 1.8 m/s and walk at 2.2.
Cadence can: walking stays below about 130 steps per minute, running starts near 140 and rarely
drops under it. FIT files write running cadence in strides per minute (one foot: a Garmin shows
85 for 170 steps), some devices in steps; a session whose moving cadence has a median under
:data:`STRIDE_UNIT_MAX` is taken to be in strides (170 strides a minute would be 340 steps) and
doubled.
"""

from __future__ import annotations

from typing import Final

import polars as pl

#: A median cadence below this is in strides per minute (no runner takes 260 steps a minute).
STRIDE_UNIT_MAX: Final = 130.0


def steps_per_minute() -> pl.Expr:
    """Cadence in steps per minute where the foot moves; null where the cadence is 0 or missing."""
    c = pl.col("cadence")
    in_strides = c.filter(c > 0).median() < STRIDE_UNIT_MAX
    return pl.when(c > 0).then(pl.when(in_strides).then(c * 2.0).otherwise(c))
