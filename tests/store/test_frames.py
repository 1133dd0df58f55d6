"""Frames in and out of DuckDB (hamflow.store.frames): the same rows and types both ways, any
number of scans of a registered frame, and no pyarrow on the way."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from hamflow.store.frames import fetch_frame, registered

ROOT = Path(__file__).resolve().parents[2]


def test_a_registered_frame_can_be_scanned_by_several_statements_and_comes_back_unchanged() -> None:
    frame = pl.DataFrame({
        "athlete_id": ["ana", None, "ben"],
        "n": pl.Series([1, 2, None], dtype=pl.Int32),
        "load": [0.5, None, 2.25],
        "at": [datetime(2026, 1, 5, 7, 0, tzinfo=UTC)] * 3,
        "tags": [["a"], [], None],
        "role": pl.Series(["primary", "duplicate", "primary"], dtype=pl.Enum(["primary", "duplicate"])),
    }).with_columns(pl.col("at").dt.convert_time_zone("Etc/UTC"))  # the zone DuckDB names UTC
    con = duckdb.connect()
    with registered(con, "_frame", frame):
        # Named twice in one statement, then scanned again by another.
        assert con.execute("SELECT count(*) FROM _frame a JOIN _frame b USING (athlete_id)").fetchall() == [(2,)]
        back = fetch_frame(con, "SELECT * FROM _frame")
    assert_frame_equal(back.with_columns(pl.col("role").cast(pl.String)), frame.with_columns(pl.col("role").cast(pl.String)))
    assert back.schema["at"] == frame.schema["at"] and back.schema["n"] == pl.Int32


def test_an_empty_result_keeps_its_columns_and_types() -> None:
    con = duckdb.connect()
    empty = fetch_frame(con, "SELECT 1::INTEGER AS n, 'x' AS s, now() AS at WHERE false")
    assert empty.is_empty() and empty.schema == pl.Schema({"n": pl.Int32, "s": pl.String, "at": pl.Datetime("us", "Etc/UTC")})


_INGEST = """
import sys
from hamflow.ingest import IngestOptions, ingest
from hamflow.model import load_config
from hamflow.model.config_load import find_config
from hamflow.store.connection import connection
from hamflow.store.frames import fetch_frame
ingest([sys.argv[1]], sys.argv[2], load_config(find_config(None)), IngestOptions(settle_s=0))
with connection(sys.argv[2], read_only=True) as con:
    assert fetch_frame(con, "SELECT * FROM weekly_posterior_load").height > 0
print("pyarrow" in sys.modules)
"""


def test_an_ingest_and_its_reads_never_load_pyarrow(tmp_path: Path) -> None:
    """pyarrow is about 40 MB of libraries that only the export and reprocess need."""
    said = subprocess.run([sys.executable, "-c", _INGEST, str(ROOT / "sample_fit" / "ana"), str(tmp_path / "db.duckdb")],
                          capture_output=True, text=True, check=True, timeout=300, cwd=tmp_path)
    assert said.stdout.split()[-1] == "False"
