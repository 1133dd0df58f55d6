"""The performance targets, each with its measured figure and whether it holds.

Every measurement module adds :class:`Target` rows to one :class:`Registry`; the benchmark prints
them as one table at the end and saves them with the rest of its results. A target that was not
measured (its module is missing, or the run was cut short) is still listed, with the reason, so
the table always shows every target and a gap cannot pass for a success.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass

#: How a measured figure is compared with its threshold.
COMPARE: dict[str, Callable[[float, float], bool]] = {">=": operator.ge, "<=": operator.le, "<": operator.lt}


@dataclass(frozen=True)
class Target:
    """One line of the targets table. ``value`` None: not measured, ``note`` says why."""

    name: str
    value: float | None
    compare: str  # one of COMPARE
    threshold: float
    unit: str  # "x" (a ratio), "%" (a share, value 0-1), "MB", "B/row", "s"
    note: str = ""

    @property
    def holds(self) -> bool | None:
        return None if self.value is None else COMPARE[self.compare](self.value, self.threshold)

    def shown(self, value: float) -> str:
        if self.unit == "%":
            return f"{value:.0%}"
        if self.unit == "x":
            return f"{value:.2f}x"
        return f"{value:,.1f} {self.unit}" if self.unit != "MB" else f"{value:,.0f} MB"

    def row(self) -> dict[str, object]:
        return {**asdict(self), "holds": self.holds}


class Registry:
    """The targets in the order they were declared; a name can be measured once."""

    def __init__(self) -> None:
        self._targets: dict[str, Target] = {}

    def add(self, target: Target) -> None:
        if target.name in self._targets:
            raise ValueError(f"target measured twice: {target.name}")
        self._targets[target.name] = target

    def missing(self, names: Iterable[str], why: str) -> None:
        """List targets that could not be measured, with the reason, unless already measured."""
        for name in names:
            if name not in self._targets:
                self._targets[name] = Target(name, None, ">=", 0.0, "", why)

    def __iter__(self) -> Iterator[Target]:
        return iter(self._targets.values())

    def names(self) -> list[str]:
        return list(self._targets)

    def rows(self) -> list[dict[str, object]]:
        return [t.row() for t in self]

    @classmethod
    def from_rows(cls, rows: Iterable[dict[str, object]]) -> Registry:
        registry = cls()
        for row in rows:
            value = row["value"]
            registry.add(Target(str(row["name"]), None if value is None else float(str(value)), str(row["compare"]),
                                float(str(row["threshold"])), str(row["unit"]), str(row["note"])))
        return registry

    def table(self) -> list[str]:
        """The targets as fixed-width lines: name, measured, threshold, verdict, note."""
        width = max((len(t.name) for t in self), default=10)
        lines = [f"{'target':<{width}}  {'measured':>10}  {'needed':>12}  {'verdict':<12}  note"]
        for t in self:
            if t.value is None:
                lines.append(f"{t.name:<{width}}  {'-':>10}  {'':>12}  {'not measured':<12}  {t.note}")
                continue
            needed = f"{t.compare} {t.shown(t.threshold)}"
            verdict = "holds" if t.holds else "MISSED"
            lines.append(f"{t.name:<{width}}  {t.shown(t.value):>10}  {needed:>12}  {verdict:<12}  {t.note}".rstrip())
        return lines
