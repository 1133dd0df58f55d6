"""``hamflow export``: every table and view as hive-partitioned Parquet, rewriting only what changed.

A nightly export into the same folder should cost what the night changed, not the whole
history. Each partition (an athlete, or an athlete-year) gets a *fingerprint* from the database:
its row count and the sum of its rows' hashes, computed by DuckDB in the same pass over each
table that an export makes anyway. The fingerprints of the last export are kept in the folder
(:data:`MANIFEST`); a partition whose fingerprint is unchanged, and whose file is still there,
is left alone. Anything that changes a row (a new workout, a reprocess, the merge of two
recordings) changes the sum, so its partition is written again; a partition that is gone from
the database is removed. The fingerprint is of the exported rows themselves, so the files are
exactly those a full export writes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import duckdb
import pyarrow.dataset

from .read import older_hamflow
from .sqlfiles import read_sql

#: Every table of the contract and every view, with its query and the columns its Parquet files
#: are partitioned by (hive style): a year of one athlete is one file per table, so a dashboard
#: reads a season without opening hundreds of files. ``year`` is the year of the rows' week.
ATHLETE_YEAR = ("athlete_id", "year")
EXPORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "fit_files": ("export/fit_files.sql", ("athlete_id",)),
    "workouts": ("export/workouts.sql", ATHLETE_YEAR),
    "workout_patterns": ("export/workout_patterns.sql", ATHLETE_YEAR),
    "segments": ("export/segments.sql", ATHLETE_YEAR),
    "samples": ("export/samples.sql", ATHLETE_YEAR),
    "strength_sets": ("export/strength_sets.sql", ATHLETE_YEAR),
    "workout_evidence": ("export/workout_evidence.sql", ATHLETE_YEAR),
    "athlete_thresholds": ("export/athlete_thresholds.sql", ("athlete_id",)),
    "weekly_posterior_load": ("export/weekly_posterior_load.sql", ATHLETE_YEAR),
    "ingest_runs": ("export/ingest_runs.sql", ()),
    "latest_week_per_athlete": ("export/latest_week_per_athlete.sql", ()),
    "weekly_weeks_back": ("export/weekly_weeks_back.sql", ATHLETE_YEAR),
    "weekly_last_12": ("export/weekly_last_12.sql", ("athlete_id",)),
    "pattern_minutes_weekly": ("export/pattern_minutes_weekly.sql", ATHLETE_YEAR),
    "recent_workouts": ("export/recent_workouts.sql", ("athlete_id",)),
    "quarantined_files": ("export/quarantined_files.sql", ("athlete_id",)),
}

#: The fingerprint query for each way of partitioning.
_FINGERPRINTS = {(): "queries/export_fingerprint_none.sql", ("athlete_id",): "queries/export_fingerprint_athlete.sql",
                 ATHLETE_YEAR: "queries/export_fingerprint_athlete_year.sql"}

#: The file in the export folder that remembers what the last export wrote.
MANIFEST = "_hamflow_export.json"
#: How DuckDB names the folder of a NULL partition value.
_NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
_STAGING = ".hamflow-export-staging"
_FILE = "data_0.parquet"

Key = tuple[str | None, ...]


@dataclass(frozen=True)
class ExportResult:
    """Rows per exported name, and how many partitions (files) were written or left as they were."""

    rows: dict[str, int]
    written: int
    unchanged: int
    removed: int


@dataclass(frozen=True)
class _Partition:
    path: str  # relative to the table's folder, as DuckDB named it; "" when unpartitioned
    fingerprint: str


def _key(values: tuple[object, ...]) -> Key:
    return tuple(None if v is None else str(v) for v in values)


def _key_of_folder(relative: Path) -> Key:
    """The partition values of a hive folder (``athlete_id=a%20b/year=2026``): DuckDB escapes
    values URL-style, which unquoting undoes whatever it chose to escape."""
    return tuple(None if (v := part.split("=", 1)[1]) == _NULL_PARTITION else unquote(v) for part in relative.parts)


def _format(sql: str, partitions: tuple[str, ...]) -> str:
    """What else the files depend on: the query, the partitioning and DuckDB's hash function.
    When it changes the whole table is written again."""
    text = "\n".join((read_sql(sql), ",".join(partitions), duckdb.__version__))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _fingerprints(relation: duckdb.DuckDBPyRelation, partitions: tuple[str, ...]) -> dict[Key, str]:
    """Fingerprint per partition of one export's rows (``_export_rows`` in the query)."""
    result = relation.query("_export_rows", read_sql(_FINGERPRINTS[partitions]))
    rows = result.fetchall() if result is not None else []
    return {_key(row[:-2]): f"{row[-2]}:{row[-1]}" for row in rows}


def _load_manifest(out_dir: Path) -> dict[str, Any]:
    try:
        loaded = json.loads((out_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}  # no earlier export here, or one we cannot read: everything is written
    return loaded if isinstance(loaded, dict) else {}


def _previous(entry: Mapping[str, Any], fmt: str) -> dict[Key, _Partition]:
    """The partitions an earlier export wrote of one table, if it wrote them the same way."""
    if entry.get("format") != fmt or not isinstance(entry.get("partitions"), list):
        return {}
    found: dict[Key, _Partition] = {}
    for p in entry["partitions"]:
        found[tuple(p["key"])] = _Partition(p["path"], p["fingerprint"])
    return found


def _write_partitions(relation: duckdb.DuckDBPyRelation, partitions: tuple[str, ...], keys: list[Key], staging: Path,
                      every: bool) -> dict[Key, Path]:
    """Write the rows of the partitions ``keys`` (``every``: all there are) under ``staging``;
    return each one's folder."""
    if not keys:
        return {}
    if not every:
        condition: duckdb.Expression | None = None
        for key in keys:
            term: duckdb.Expression | None = None
            for column, value in zip(partitions, key, strict=True):
                col = duckdb.ColumnExpression(column)
                same = col.isnull() if value is None else col.cast(duckdb.sqltype("VARCHAR")) == duckdb.ConstantExpression(value)
                term = same if term is None else term & same
            condition = term if condition is None else condition | term
        assert condition is not None
        relation = relation.filter(condition)
    relation.write_parquet(str(staging), partition_by=list(partitions), overwrite=True)
    written = {_key_of_folder(f.parent.relative_to(staging)): f.parent for f in staging.rglob(_FILE)}
    return written


def _replace(src: Path, dst: Path) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    src.rename(dst)


def _export_table(
    con: duckdb.DuckDBPyConnection, name: str, out_dir: Path, previous: Mapping[str, Any],
) -> tuple[dict[str, Any], int, int, int]:
    """Bring ``out_dir/<name>`` up to date; return its manifest entry and (written, unchanged, removed)."""
    sql, partitions = EXPORTS[name]
    fmt = _format(sql, partitions)
    try:
        relation = con.sql(read_sql(sql))
    except duckdb.CatalogException as exc:
        raise older_hamflow(exc) from exc
    target = out_dir / name
    now = _fingerprints(relation, partitions)
    before = _previous(previous, fmt)
    if not before and target.exists():
        shutil.rmtree(target)  # written another way, or by an export that kept no manifest
    target.mkdir(parents=True, exist_ok=True)
    stale = [k for k, fp in now.items() if k not in before or before[k].fingerprint != fp
             or not (target / before[k].path / _FILE).is_file()]
    kept = {k: before[k] for k in now if k not in stale}
    written: dict[Key, _Partition] = {}
    if not partitions:
        if stale:
            relation.write_parquet(str(target / _FILE))
            written[()] = _Partition("", now[()])
    else:
        staging = out_dir / _STAGING / name
        if staging.exists():
            shutil.rmtree(staging)
        staging.parent.mkdir(parents=True, exist_ok=True)
        for key, folder in _write_partitions(relation, partitions, stale, staging, every=len(stale) == len(now)).items():
            path = folder.relative_to(staging).as_posix()
            _replace(folder, target / path)
            written[key] = _Partition(path, now[key])
        shutil.rmtree(out_dir / _STAGING, ignore_errors=True)
    removed = [p for k, p in before.items() if k not in now]
    for p in removed:
        shutil.rmtree(target / p.path, ignore_errors=True)
        for parent in (target / p.path).parents:  # an athlete's folder when its last year went
            if parent == target or not parent.is_dir() or any(parent.iterdir()):
                break
            parent.rmdir()
    entry = {"format": fmt, "partitions": [{"key": list(k), "path": p.path, "fingerprint": p.fingerprint}
                                           for k, p in sorted({**kept, **written}.items(), key=lambda kv: kv[1].path)]}
    return entry, len(written), len(kept), len(removed)


def export_parquet(con: duckdb.DuckDBPyConnection, out_dir: Path) -> ExportResult:
    """Bring the Parquet files under ``out_dir/<name>/`` up to date with the database: every
    table and view, hive-partitioned as :data:`EXPORTS` says
    (``athlete_id=<id>/year=<yyyy>/data_0.parquet``), writing only the partitions that changed
    since the last export into ``out_dir`` (see the module docstring).

    DuckDB streams each query into its files and computes the fingerprints in a pass of its own:
    linear in the data whatever the number of athletes, memory bounded by DuckDB's buffers.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = _load_manifest(out_dir)
    entries: dict[str, Any] = {}
    rows: dict[str, int] = {}
    written = unchanged = removed = 0
    for name in EXPORTS:
        previous = manifest.get(name)
        entry, w, u, r = _export_table(con, name, out_dir, previous if isinstance(previous, dict) else {})
        entries[name] = entry
        written, unchanged, removed = written + w, unchanged + u, removed + r
        rows[name] = pyarrow.dataset.dataset(out_dir / name, format="parquet").count_rows()  # from the footers only
        # Written after each table, so an export stopped midway keeps what it finished.
        (out_dir / MANIFEST).write_text(json.dumps({**manifest, **entries}, indent=1, sort_keys=True))
    return ExportResult(rows, written, unchanged, removed)
