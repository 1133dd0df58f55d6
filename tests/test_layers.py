"""The packages depend on each other in one direction only, and the library never on Prefect.

fit (bytes -> frames) <- model <- store <- ingest <- report <- cli; the Prefect flows in
hamflow_flows compose the library from outside. A module may import its own package and the
packages before it, never one after it: that is what keeps each layer testable on its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["fit", "model", "store", "ingest", "report", "cli"]


def _imports(path: Path) -> set[str]:
    """Absolute names of the modules ``path`` imports (relative imports resolved)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    return _imported_names(path.read_text(encoding="utf-8"), package)


def _imported_names(source: str, package: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                names.add(".".join(base + ([node.module] if node.module else [])))
            elif node.module:
                names.add(node.module)
    return names


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "hamflow" and parts[1] in ORDER else None


def test_every_library_package_imports_only_itself_and_the_packages_before_it() -> None:
    upward = []
    for path in sorted((ROOT / "hamflow").rglob("*.py")):
        own = _layer(".".join(path.relative_to(ROOT).with_suffix("").parts))
        if own is None:
            continue
        for name in _imports(path):
            other = _layer(name)
            if other is not None and ORDER.index(other) > ORDER.index(own):
                upward.append(f"{path.relative_to(ROOT)} imports {name}")
    assert upward == []


def test_the_library_outside_the_cli_never_imports_prefect_or_the_flows() -> None:
    offenders = []
    for path in sorted((ROOT / "hamflow").rglob("*.py")):
        if path.is_relative_to(ROOT / "hamflow" / "cli"):
            continue  # the CLI starts the flows, lazily, for `--engine prefect` and `serve`
        for name in _imports(path):
            if name.split(".")[0] in ("prefect", "distributed", "hamflow_flows"):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_the_import_scanner_sees_relative_imports_as_what_they_name() -> None:
    # Guard the guard: an upward relative import from model/ must be seen as hamflow.report.
    source = "from ..report import tables\nfrom .grade import x\nimport polars\n"
    assert _imported_names(source, "hamflow.model") == {"hamflow.report", "hamflow.model.grade", "polars"}
    assert _layer("hamflow.report") == "report"
