"""Measurements that live in modules of their own: called when importable, listed as missing when not.

``bench.nightly`` and ``bench.exports`` each offer ``measure(...)`` returning a dict of figures.
``measure`` is given, by name, those of the benchmark's shared facts it asks for (see
:class:`Context`); a figure given as ``{"value", "threshold", "compare", "unit"}`` becomes a row of
the targets table, any other figure is printed as it is. A module that is absent or fails leaves
its targets in the table as "not measured", with the reason.
"""

from __future__ import annotations

import importlib
import inspect
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.targets import Registry, Target


@dataclass(frozen=True)
class Context:
    """What a measurement module may ask for, by parameter name."""

    work: Path  # a folder of its own for databases and logs
    quick: bool  # the smoke-test size: figures mean nothing, every path runs
    history_db: Path  # several athlete-years (read-only: copy before changing)
    month_db: Path  # the probe athlete's first month alone (read-only)
    years: list[Path]  # the athlete-years in history_db, one folder each
    year: Path  # the athlete-year of the backfill
    prefect_home: Path
    env: dict[str, str]  # the environment the benchmark runs hamflow with
    skip: list[str] = field(default_factory=list)  # parts the run leaves out ("prefect", "dask")


@dataclass
class External:
    module: str
    figures: dict[str, Any]
    error: str | None = None


def call_measure(module: str, context: Context) -> External:
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name not in (module, module.rsplit(".", 1)[0]):
            return External(module, {}, f"import failed: {exc}")
        return External(module, {}, "not measured: module missing")
    measure = getattr(mod, "measure", None)
    if measure is None:
        return External(module, {}, "not measured: the module has no measure()")
    given = asdict(context)
    params = inspect.signature(measure).parameters
    unknown = [n for n, p in params.items() if p.default is inspect.Parameter.empty and n not in given
               and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
    if unknown:
        return External(module, {}, f"not measured: measure() needs {', '.join(unknown)}")
    accepts_all = any(p.kind is p.VAR_KEYWORD for p in params.values())
    kwargs = {n: getattr(context, n) for n in given if accepts_all or n in params}
    print(f"{module}.measure ...", flush=True)
    try:
        figures = dict(measure(**kwargs))
    except Exception as exc:
        traceback.print_exc()
        return External(module, {}, f"not measured: {module}.measure failed: {type(exc).__name__}: {exc}")
    return External(module, figures)


def add_targets(registry: Registry, ext: External, expected: list[str]) -> list[str]:
    """Rows for the module's targets (``expected`` as not measured when it gives none); returns its other figures."""
    lines: list[str] = []
    rows = 0
    for name, figure in ext.figures.items():
        if isinstance(figure, dict) and {"value", "threshold"} <= figure.keys():
            registry.add(Target(name, None if figure["value"] is None else float(figure["value"]), figure.get("compare", "<="),
                                float(figure["threshold"]), figure.get("unit", "x"), figure.get("note", f"from {ext.module}")))
            rows += 1
        else:
            lines.append(f"  {name}: {figure}")
    if not rows:  # the module's own target names stand in for the expected ones when it gives any
        registry.missing(expected, ext.error or f"{ext.module} gave figures but no verdicts (below)")
    return lines
