"""Named crash points, for proving that a crash anywhere leaves the database consistent.

``HAMFLOW_CRASH_AT=<name>`` makes the process kill itself with SIGKILL (no cleanup, no
rollback, exactly like ``kill -9``) the first time it reaches that point;
``HAMFLOW_CRASH_AT=<name>@<n>`` the n-th time (``write:committed@3``: after the third batch
committed), so a test can crash between any two batches of a run without timing anything.
``HAMFLOW_STOP_AT`` takes the same names and stops the process there with SIGSTOP instead, until
a SIGCONT: a test can look at the database, or run other commands, at exactly that point (say,
between two batches of a reprocess). Unset, this costs two dict lookups. Tests use it to crash
inside a write transaction deterministically.
"""

from __future__ import annotations

import os
import signal

#: How often each point was reached in this process, counted only while a signal is armed.
_reached: dict[tuple[str, str], int] = {}
#: The variables that arm a point, and the signal each sends the process there.
_ARMS = (("HAMFLOW_CRASH_AT", signal.SIGKILL), ("HAMFLOW_STOP_AT", signal.SIGSTOP))


def crash_point(name: str) -> None:
    for variable, sig in _ARMS:
        armed = os.environ.get(variable)
        if not armed:
            continue
        point, _, nth = armed.partition("@")
        if point != name:
            continue
        if nth and not nth.isdigit():
            raise ValueError(f"{variable}={armed!r}: expected <point> or <point>@<n>, n a whole number")
        _reached[(variable, name)] = _reached.get((variable, name), 0) + 1
        if _reached[(variable, name)] == (int(nth) if nth else 1):
            os.kill(os.getpid(), sig)
