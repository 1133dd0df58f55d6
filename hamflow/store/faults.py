"""Named crash points, for proving that a crash anywhere leaves the database consistent.

``HAMFLOW_CRASH_AT=<name>`` makes the process kill itself with SIGKILL (no cleanup, no
rollback, exactly like ``kill -9``) when it reaches that point. Unset, this costs one dict
lookup. Tests use it to crash inside a write transaction deterministically.
"""

from __future__ import annotations

import os
import signal


def crash_point(name: str) -> None:
    if os.environ.get("HAMFLOW_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
