"""Crash points (hamflow/store/faults.py): the crash tests rely on them firing exactly where named."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

REACH_FIVE_TIMES = """
from hamflow.store.faults import crash_point
for i in range(1, 6):
    crash_point("other")
    print(i, flush=True)
    crash_point("point")
"""


def reach(armed: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "HAMFLOW_CRASH_AT"}
    if armed is not None:
        env["HAMFLOW_CRASH_AT"] = armed
    return subprocess.run([sys.executable, "-c", REACH_FIVE_TIMES], env=env, capture_output=True, text=True, timeout=60)


def test_a_crash_point_kills_the_process_the_nth_time_it_is_reached() -> None:
    for armed, printed in (("point", "1"), ("point@1", "1"), ("point@3", "1 2 3")):
        run = reach(armed)
        assert run.returncode == -signal.SIGKILL, (armed, run.stderr)
        assert run.stdout.split() == printed.split(), armed


def test_an_unarmed_or_unreached_crash_point_does_nothing() -> None:
    for armed in (None, "", "point@6", "elsewhere"):
        run = reach(armed)
        assert run.returncode == 0 and run.stdout.split() == ["1", "2", "3", "4", "5"], (armed, run.stderr)


def test_a_malformed_crash_point_is_an_error_not_a_silent_miss() -> None:
    run = reach("point@third")
    assert run.returncode == 1 and "HAMFLOW_CRASH_AT='point@third'" in run.stderr
