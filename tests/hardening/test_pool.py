"""The fuzz workers' time limit (pool.py) counts CPU time, so a loaded machine cannot fail an input."""

from __future__ import annotations

import time

from .pool import run_checks


def spin(data: bytes) -> tuple[str, str]:
    """A decoder caught in a loop."""
    while True:
        pass


def wait(data: bytes) -> tuple[str, str]:
    """A worker that gets no core for a while, as on a machine busy with other work."""
    time.sleep(float(data))
    return "ok", "waited"


def test_an_input_that_spins_past_its_cpu_budget_is_a_timeout_after_one_retry() -> None:
    outcomes = run_checks(spin, [("spin", b"")], cpu_budget_s=0.3)
    assert [(o.name, o.verdict) for o in outcomes] == [("spin", "timeout")]
    assert "CPU time" in outcomes[0].detail and "twice" in outcomes[0].detail


def test_waiting_longer_than_the_budget_without_using_the_cpu_is_within_it() -> None:
    outcomes = run_checks(wait, [("a", b"1.0"), ("b", b"0")], cpu_budget_s=0.3)
    assert sorted((o.name, o.verdict) for o in outcomes) == [("a", "ok"), ("b", "ok")]
    assert all(o.cpu_seconds < 0.3 for o in outcomes)
