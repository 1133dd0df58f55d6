"""What a wheel of hamflow ships: every SQL statement, in packages setuptools is told about."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_every_sql_folder_is_a_declared_package_with_its_statements() -> None:
    """A folder under sql/ that is not declared ships only by accident, with a build warning."""
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {p.parent for p in (ROOT / "sql").rglob("*.sql")}
    expected = {".".join(("hamflow", "sql", *p.relative_to(ROOT / "sql").parts)) for p in folders}
    assert expected <= set(setup["packages"])
    assert all(setup["package-data"].get(name) == ["*.sql"] for name in expected)
