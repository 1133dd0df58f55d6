"""Several sessions' samples as one frame, and back.

A polars window or group-by has a fixed cost that an hour of seconds does not amortise, so the
steps that read whole sessions (efforts, segments) run once over a stack of sessions, with
every window and group also over the session, and cut the result back into sessions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import polars as pl

#: The column that tells the sessions of a stack apart: each session's place in the input.
SESSION: Final = "_session"


def stack(sessions: Sequence[pl.DataFrame], columns: Sequence[str]) -> tuple[pl.DataFrame | None, tuple[str, ...]]:
    """``columns`` of the non-empty ``sessions``, one after the other, and the key columns that
    tell them apart: none for a single session (its frame as it is: a lazy query reads only the
    columns it needs), else :data:`SESSION`. None when no session has a second. The columns are
    taken as they are rather than selected, which would run a query per session."""
    if len(sessions) == 1:
        only = sessions[0]
        return (None if only.is_empty() else only), ()
    parts = [
        pl.DataFrame([*(frame.get_column(c) for c in columns),
                      pl.Series(SESSION, [i], dtype=pl.UInt32).new_from_index(0, frame.height)])
        for i, frame in enumerate(sessions)
        if not frame.is_empty()
    ]
    return (pl.concat(parts, rechunk=True) if parts else None), (SESSION,)


def unstack(frame: pl.DataFrame, count: int, keys: tuple[str, ...], schema: dict[str, pl.DataType]) -> list[pl.DataFrame]:
    """The ``count`` sessions' parts of a result over a :func:`stack` (``keys`` its key
    columns), in the sessions' order; a session without rows gets an empty frame of ``schema``."""
    if not keys:
        return [frame]
    parts = frame.partition_by(SESSION, as_dict=True, include_key=False, maintain_order=True)
    empty = pl.DataFrame(schema=schema)
    return [parts.get((i,), empty) for i in range(count)]
