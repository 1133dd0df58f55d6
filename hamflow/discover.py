"""Finding FIT files under the paths a user gives."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def is_fit_name(path: Path) -> bool:
    """FIT files are named ``*.fit`` in any case (devices write ``.FIT``)."""
    return path.suffix.lower() == ".fit"


def find_fit_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Every FIT file named by ``paths``: files as given, directories searched recursively.

    Sorted and de-duplicated so every run sees files in the same order. Raises
    ``FileNotFoundError`` for a path that does not exist.
    """
    found: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.update(p for p in path.rglob("*") if p.is_file() and is_fit_name(p))
        elif path.exists():
            found.add(path)
        else:
            raise FileNotFoundError(f"no such file or directory: {path}")
    return sorted(found)
