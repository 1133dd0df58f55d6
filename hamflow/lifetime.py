"""Child processes that end with the command that started them.

A command killed outright (SIGKILL, the out-of-memory killer) runs no cleanup, so whatever it
started would run on: Prefect's temporary server, the workers of a local survey. On Linux the
kernel can send each of them a signal when its parent dies; elsewhere this is a no-op.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent(signum: int = signal.SIGTERM) -> bool:
    """Ask the kernel to send this process ``signum`` when its parent dies (strictly: when the
    thread that started it ends, so a process must be started from a thread that lives as long
    as the command). False where the platform cannot."""
    if not sys.platform.startswith("linux"):
        return False
    done: int = ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signum)
    return done == 0


def end_with(parent_pid: int) -> None:
    """:func:`die_with_parent`, in a child already running: if the parent died before the
    request was made, no signal will come, so end now."""
    if die_with_parent() and os.getppid() != parent_pid:
        os._exit(1)
