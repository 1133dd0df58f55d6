"""All SQL lives in ``sql/``, layered (base views, then dashboard views and queries), and stays so.

The Python side keeps one generic statement (``hamflow/store/insert.py``); everything else is a
file that Python reads and binds parameters to. These tests fail when a statement creeps back
into a Python string, when a file is referenced but missing or left behind unused, or when the
layering is undone.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import duckdb
import polars as pl
import pytest

from hamflow.ingest.prepare import WORKOUT_COLUMNS
from hamflow.store import read
from hamflow.store.connection import StoreError, connection
from hamflow.store.insert import CONTRACT_TABLES, insert_frame
from hamflow.store.schema import ensure_schema, read_sql

REPO = Path(__file__).resolve().parents[2]
SQL = REPO / "sql"
CODE = [p for d in ("hamflow", "hamflow_flows") if (REPO / d).is_dir() for p in sorted((REPO / d).rglob("*.py"))]

#: What a SQL statement in a Python string looks like (SQL keywords are upper case here).
STATEMENT = re.compile(
    r"\bSELECT\s.+?\sFROM\b|\bINSERT\s+INTO\b|\bCREATE\s+(OR\s+REPLACE\s+)?(TEMP\w*\s+)?(TABLE|VIEW|INDEX|MACRO)\b"
    r"|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b|\bALTER\s+TABLE\b|\bDROP\s+(TABLE|VIEW)\b|\bSET\s+\w+\s*=|\bBEGIN\s+TRANSACTION\b",
    re.S,
)
#: The generic insert-by-name helper: the one statement built in Python, once.
ALLOWED = {"hamflow/store/insert.py": 1}
#: Folders whose files are applied by listing them (migrations at the top, views), not by name.
LISTED = ("base", "views")


def string_literals(path: Path) -> list[str]:
    """Every string literal of a module but its docstrings; an f-string as one text."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
        if isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)
    texts: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            texts.append("".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            texts.append(node.value)
    return texts


def test_no_sql_statements_in_python_strings() -> None:
    found: dict[str, list[str]] = {}
    for path in CODE:
        hits = [t for t in string_literals(path) if STATEMENT.search(t)]
        if hits:
            found[path.relative_to(REPO).as_posix()] = hits
    allowed = {name: hits for name, hits in found.items() if name in ALLOWED}
    assert {name: len(hits) for name, hits in allowed.items()} == ALLOWED
    stray = {name: hits for name, hits in found.items() if name not in ALLOWED}
    assert not stray, f"SQL belongs in sql/ (read it with read_sql): {stray}"


def test_the_statement_pattern_sees_sql() -> None:
    for text in ("SELECT * FROM workouts", "INSERT INTO t BY NAME SELECT * FROM x", "UPDATE ingest_runs SET a = 1",
                 "DELETE FROM fit_files", "CREATE OR REPLACE VIEW v AS SELECT 1", "SET TimeZone = 'UTC'"):
        assert STATEMENT.search(text), text
    for text in ("select the athletes from the list", "write:committed", "UPDATE the docs", "SELECTED 3 FROMAGES"):
        assert not STATEMENT.search(text), text


def sql_names_in_code() -> set[str]:
    """``folder/name.sql`` and ``NNN_name.sql`` literals (not the package name ``hamflow.sql``)."""
    name = re.compile(r"(\d{3}_[a-z0-9_]+|[a-z]+(/[a-z0-9_]+)+)\.sql")
    return {t for path in CODE for t in string_literals(path) if name.fullmatch(t)}


def test_every_sql_file_named_in_code_exists_and_every_statement_file_is_used() -> None:
    named = sql_names_in_code()
    assert {n for n in named if not (SQL / n).is_file()} == set()
    statements = {p.relative_to(SQL).as_posix() for p in SQL.glob("*/*.sql") if p.parent.name not in LISTED}
    assert statements - named == set(), "unused statement files"


def test_every_sql_file_ships_in_the_wheel() -> None:
    """Each folder of sql/ is a declared package whose *.sql are package data: a folder that
    is not declared ships only by accident, and with a long setuptools warning."""
    setup = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = {".".join(("hamflow", "sql", *p.parent.relative_to(SQL).parts)) for p in SQL.rglob("*.sql")}
    assert packages <= set(setup["packages"])
    assert {name: setup["package-data"].get(name) for name in packages} == {name: ["*.sql"] for name in packages}


def test_the_latest_week_per_athlete_is_written_once() -> None:
    latest = re.compile(r"max\s*\(\s*(\w+\.)?week_start\s*\)", re.I)
    where = sorted(p.relative_to(SQL).as_posix() for p in SQL.rglob("*.sql") if latest.search(p.read_text()))
    assert where == ["base/010_latest_week_per_athlete.sql"]


def test_the_workouts_update_sets_every_column_but_the_key(tmp_path: Path) -> None:
    assigned = re.findall(r"^\s*(\w+) = n\.(\w+),?$", read_sql("writes/update_workouts.sql"), re.M)
    assert all(a == b for a, b in assigned)
    with connection(tmp_path / "h.duckdb") as con:
        ensure_schema(con)
        table = [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'workouts' ORDER BY ordinal_position").fetchall()]
    assert [a for a, _ in assigned] == [c for c in table if c != "workout_id"] == [c for c in WORKOUT_COLUMNS if c != "workout_id"]


def test_the_insert_helper_takes_only_the_contracts_tables(tmp_path: Path) -> None:
    with connection(tmp_path / "h.duckdb") as con:
        ensure_schema(con)
        with pytest.raises(ValueError, match="not a hamflow table"):
            insert_frame(con, "hamflow_meta; DROP TABLE workouts", pl.DataFrame({"x": [1]}))
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'").fetchall()}
    assert CONTRACT_TABLES <= tables


def test_dashboard_views_build_on_the_base_views(tmp_path: Path) -> None:
    with connection(tmp_path / "h.duckdb") as con:
        ensure_schema(con)
        views = {name: sql for name, sql in con.execute("SELECT view_name, sql FROM duckdb_views() WHERE NOT internal").fetchall()}
        columns = [r[0] for r in con.execute("DESCRIBE weekly_weeks_back").fetchall()]
        last_12 = [r[0] for r in con.execute("DESCRIBE weekly_last_12").fetchall()]
        table = [r[0] for r in con.execute("DESCRIBE weekly_posterior_load").fetchall()]
    assert {"latest_week_per_athlete", "weekly_weeks_back"} <= views.keys()
    assert "weekly_weeks_back" in views["weekly_last_12"]
    assert columns == [*table, "weeks_back"] and last_12 == table


def test_a_database_written_before_the_base_views_gets_them_on_its_next_write(tmp_path: Path) -> None:
    db = tmp_path / "h.duckdb"
    with connection(db) as con:
        ensure_schema(con)
        con.execute("DROP VIEW weekly_last_12")
        con.execute("DROP VIEW weekly_weeks_back")
        con.execute("DROP VIEW latest_week_per_athlete")
    with connection(db, read_only=True) as con, pytest.raises(StoreError, match=r"older hamflow.*hamflow ingest"):
        read.weeks(con)
    with connection(db) as con:
        ensure_schema(con)
    with connection(db, read_only=True) as con:
        assert read.weeks(con).is_empty() and read.current_weeks(con).is_empty()


def test_user_queries_cannot_reach_other_files(tmp_path: Path) -> None:
    db = tmp_path / "h.duckdb"
    with connection(db) as con:
        ensure_schema(con)
    (tmp_path / "x.csv").write_text("a\n1\n")
    with connection(db, read_only=True) as con, pytest.raises(duckdb.Error):
        read.query(con, f"SELECT * FROM read_csv('{tmp_path / 'x.csv'}')")
