"""Small helpers shared by store and pipeline tests: sample inboxes and table snapshots."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import polars as pl

from hamflow.store.frames import fetch_frame

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_fit"

#: Columns that legitimately differ between two runs over the same files.
VOLATILE = {"ingested_at", "run_id", "path"}


def manifest() -> list[dict]:
    return json.loads((SAMPLES / "manifest.json").read_text())["files"]


def sample(kind: str, athlete: str = "ana", nth: int = 0) -> Path:
    matches = [f for f in manifest() if f["kind"] == kind and f["athlete"] == athlete and not f["broken"]]
    return SAMPLES / matches[nth]["path"]


def make_inbox(root: Path, files: dict[str, list[Path]]) -> Path:
    """An inbox folder with one sub-folder per athlete holding copies of ``files``."""
    for athlete, paths in files.items():
        (root / athlete).mkdir(parents=True, exist_ok=True)
        for p in paths:
            shutil.copy2(p, root / athlete / p.name)
    return root


def snapshot(db: Path, tables: tuple[str, ...] = ("fit_files", "workouts", "weekly_posterior_load", "segments", "workout_patterns")) -> dict[str, pl.DataFrame]:
    """Table contents without run-specific columns, in a stable order."""
    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for table in tables:
            frame = fetch_frame(con, f"SELECT * FROM {table}")
            frame = frame.drop([c for c in frame.columns if c in VOLATILE])
            out[table] = frame.sort(frame.columns, nulls_last=True)
    return out


def assert_same(a: dict[str, pl.DataFrame], b: dict[str, pl.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for table in a:
        assert a[table].equals(b[table]), table


def compat_python() -> str:
    """A Python with DuckDB 1.4 (``$HAMFLOW_COMPAT_PYTHON``, else ``.venv-duckdb14``, which `make test` builds)."""
    path = os.environ.get("HAMFLOW_COMPAT_PYTHON", str(REPO / ".venv-duckdb14" / "bin" / "python"))
    assert Path(path).exists(), f"{path} missing: `make test` builds it (a venv with duckdb 1.4)"
    return path
