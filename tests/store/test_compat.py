"""Dashboards bundle DuckDB 1.4/1.5: hamflow's file must open there (DuckDB 2.0 files do not)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb

from hamflow.store.connection import connection
from hamflow.store.schema import ensure_schema

from ..helpers import compat_python

READ = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(duckdb.__version__, con.execute("SELECT count(*) FROM weekly_posterior_load").fetchone()[0],
      con.execute("SELECT count(*) FROM weekly_last_12").fetchone()[0])
"""


def test_a_duckdb_14_reader_opens_hamflows_file(tmp_path: Path) -> None:
    db = tmp_path / "h.duckdb"
    with connection(db) as con:
        ensure_schema(con)
    out = subprocess.run([compat_python(), "-c", READ, str(db)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    version, rows, view_rows = out.stdout.split()
    assert version.startswith("1.4.") and (rows, view_rows) == ("0", "0")


def test_without_the_compatibility_setting_it_would_not(tmp_path: Path) -> None:
    """Guards the reason for STORAGE_COMPATIBILITY: if this passes on a 1.4 reader, drop it."""
    db = tmp_path / "plain.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE weekly_posterior_load (x INTEGER)")
    out = subprocess.run([compat_python(), "-c", READ, str(db)], capture_output=True, text=True, timeout=60)
    if int(duckdb.__version__.split(".")[0]) >= 2:
        assert out.returncode != 0 and "version" in out.stderr.lower()
    else:  # a 1.x writer needs no setting: the reader must open its file as is
        assert out.returncode == 0, out.stderr
