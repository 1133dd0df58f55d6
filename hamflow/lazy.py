"""A package's public names, imported from their modules when first used.

``hamflow.ingest`` and ``hamflow.store`` name everything a caller needs, but a process that needs
one module (a pool worker unpickling the steps it runs) should not pay for the others' imports:
DuckDB is about 20 MB in each worker that never opens a database.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: each name of ``homes`` (name -> module of the
    package) imported from its module on first use; a name that is a module itself is that
    module."""

    def getattr_(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(f"{package}.{home}")
        return module if name == home else getattr(module, name)

    return getattr_
