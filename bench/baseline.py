"""The baseline every ratio is taken against: fitparse alone, the ten lines anyone could write.

Decode each file with ``fitparse.FitFile`` and read every ``record`` message's values, in one
process. A file fitparse cannot read is left out of the baseline (and its time with it): the
ratio compares the same readable files.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Baseline:
    """Records of each readable file (so subsets need no second pass), and what reading them took."""

    records: dict[Path, int]
    seconds_of: dict[Path, float]  # wall seconds of each readable file
    seconds: float  # wall
    cpu_s: float  # what other load on a shared machine does not inflate
    unreadable: int  # files fitparse stopped on, left out

    @property
    def total(self) -> int:
        return sum(self.records.values())

    def seconds_for(self, files: Sequence[Path]) -> float:
        """Wall seconds of fitparse alone on the readable ones of ``files``."""
        return sum(self.seconds_of.get(p, 0.0) for p in files)


def fitparse_alone(files: Sequence[Path]) -> Baseline:
    """Decode each file, read every record's values; time only the files fitparse reads to the end."""
    import fitparse

    records: dict[Path, int] = {}
    seconds_of: dict[Path, float] = {}
    cpu_s = 0.0
    unreadable = 0
    for path in files:
        cpu = time.process_time()
        started = time.perf_counter()
        try:
            with fitparse.FitFile(str(path)) as fit:
                n = 0
                for message in fit.get_messages("record"):
                    message.get_values()
                    n += 1
        except Exception:  # a corrupt file: fitparse raises many kinds, none of them ours
            unreadable += 1
            continue
        seconds_of[path] = time.perf_counter() - started
        cpu_s += time.process_time() - cpu
        records[path] = n
    return Baseline(records, seconds_of, sum(seconds_of.values()), cpu_s, unreadable)


def averaged(first: Baseline, again: Baseline) -> Baseline:
    """Two measurements of the same files, each file's seconds their mean: fitparse alone is
    measured once before the runs it is compared with and once after, since a shared machine's
    speed drifts over the minutes between (by 15 to 40 % on the 2-core reference machine)."""
    both = [p for p in first.seconds_of if p in again.seconds_of]
    seconds_of = {p: (first.seconds_of[p] + again.seconds_of[p]) / 2 for p in both}
    return Baseline({p: first.records[p] for p in both}, seconds_of, sum(seconds_of.values()),
                    (first.cpu_s + again.cpu_s) / 2, max(first.unreadable, again.unreadable))
