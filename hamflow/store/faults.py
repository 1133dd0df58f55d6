"""Named crash points, for proving that a crash anywhere leaves the database consistent.

``HAMFLOW_CRASH_AT=<name>`` makes the process kill itself with SIGKILL (no cleanup, no
rollback, exactly like ``kill -9``) the first time it reaches that point;
``HAMFLOW_CRASH_AT=<name>@<n>`` the n-th time (``write:committed@3``: after the third batch
committed), so a test can crash between any two batches of a run without timing anything.
Unset, this costs one dict lookup. Tests use it to crash inside a write transaction
deterministically.
"""

from __future__ import annotations

import os
import signal

#: How often each point was reached in this process, counted only while a crash is armed.
_reached: dict[str, int] = {}


def crash_point(name: str) -> None:
    armed = os.environ.get("HAMFLOW_CRASH_AT")
    if not armed:
        return
    point, _, nth = armed.partition("@")
    if point != name:
        return
    if nth and not nth.isdigit():
        raise ValueError(f"HAMFLOW_CRASH_AT={armed!r}: expected <point> or <point>@<n>, n a whole number")
    _reached[name] = _reached.get(name, 0) + 1
    if _reached[name] == (int(nth) if nth else 1):
        os.kill(os.getpid(), signal.SIGKILL)
