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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import duckdb

from .read import older_hamflow
from .sqlfiles import execute_sql, read_sql

#: Every table of the contract and every view: its query, the columns its Parquet files are
#: partitioned by (hive style) and the order of the rows within each file. A year of one athlete
#: is one file per table, so a dashboard reads a season without opening hundreds of files;
#: ``year`` is the year of the rows' week. An empty order means every column, left to right.
ATHLETE_YEAR = ("athlete_id", "year")
_BY_WORKOUT = ("athlete_id", "workout_id")
EXPORTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "fit_files": ("export/fit_files.sql", ("athlete_id",), ("athlete_id", "file_sha256")),
    "workouts": ("export/workouts.sql", ATHLETE_YEAR, ("athlete_id", "start_utc", "workout_id")),
    "workout_patterns": ("export/workout_patterns.sql", ATHLETE_YEAR, (*_BY_WORKOUT, "pattern")),
    "segments": ("export/segments.sql", ATHLETE_YEAR, (*_BY_WORKOUT, "segment_index")),
    "samples": ("export/samples.sql", ATHLETE_YEAR, (*_BY_WORKOUT, "ts_utc")),
    "strength_sets": ("export/strength_sets.sql", ATHLETE_YEAR, ()),
    "workout_evidence": ("export/workout_evidence.sql", ATHLETE_YEAR, ("athlete_id", "start_utc", "workout_id", "metric")),
    "athlete_thresholds": ("export/athlete_thresholds.sql", ("athlete_id",), ()),
    "weekly_posterior_load": ("export/weekly_posterior_load.sql", ATHLETE_YEAR, ("athlete_id", "week_start")),
    "ingest_runs": ("export/ingest_runs.sql", (), ("started_at", "run_id")),
    "latest_week_per_athlete": ("export/latest_week_per_athlete.sql", (), ("athlete_id",)),
    "weekly_weeks_back": ("export/weekly_weeks_back.sql", ATHLETE_YEAR, ("athlete_id", "week_start")),
    "weekly_last_12": ("export/weekly_last_12.sql", ("athlete_id",), ("athlete_id", "week_start")),
    "pattern_minutes_weekly": ("export/pattern_minutes_weekly.sql", ATHLETE_YEAR, ()),
    "recent_workouts": ("export/recent_workouts.sql", ("athlete_id",), ()),
    "quarantined_files": ("export/quarantined_files.sql", ("athlete_id",), ()),
}

#: The fingerprint query for each way of partitioning.
_FINGERPRINTS = {(): "queries/export_fingerprint_none.sql", ("athlete_id",): "queries/export_fingerprint_athlete.sql",
                 ATHLETE_YEAR: "queries/export_fingerprint_athlete_year.sql"}
#: The rows of a list of partitions, for each way of partitioning.
_SELECTIONS = {("athlete_id",): "queries/export_partitions_athlete.sql",
               ATHLETE_YEAR: "queries/export_partitions_athlete_year.sql"}

#: What DuckDB may hold while exporting. Each write sorts at most :data:`GROUP_ROWS` rows, which
#: fits; a larger partition's sort spills to disk instead of growing the process.
EXPORT_MEMORY_LIMIT = "400MB"
#: Rows written per ordered write: whole partitions, as many as fit (a larger one alone). Memory
#: is then that of one group whatever the size of the database; each group's write scans the
#: query's tables once more, so groups are kept large enough that scanning is a small part of it.
GROUP_ROWS = 2_000_000
#: Rows a partitioned write buffers per thread before writing them out (DuckDB's default is 524,288
#: rows of every column, which under the memory limit left its sort no room and failed).
FLUSH_ROWS = 30_000

#: The file in the export folder that remembers what the last export wrote.
MANIFEST = "_hamflow_export.json"
#: How DuckDB names the folder of a NULL partition value.
_NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
_STAGING = ".hamflow-export-staging"
_SPILL = ".hamflow-export-spill"
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


def _format(sql: str, partitions: tuple[str, ...], order: tuple[str, ...]) -> str:
    """What else the files depend on: the query, the partitioning, the order and DuckDB's hash
    function. When it changes the whole table is written again."""
    text = "\n".join((read_sql(sql), ",".join(partitions), ",".join(order), duckdb.__version__))
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


def _ordered(relation: duckdb.DuckDBPyRelation, order: tuple[str, ...]) -> duckdb.DuckDBPyRelation:
    return relation.sort(*(duckdb.ColumnExpression(c) for c in order or relation.columns))


def _groups(keys: list[Key], now: Mapping[Key, str], group_rows: int) -> list[list[Key]]:
    """``keys`` in groups of at most ``group_rows`` rows (a larger partition alone), by the row
    count in each partition's fingerprint."""
    groups: list[list[Key]] = []
    rows = 0
    for key in sorted(keys, key=lambda k: tuple((v is None, v or "") for v in k)):
        n = int(now[key].split(":", 1)[0])
        if not groups or rows + n > group_rows:
            groups.append([])
            rows = 0
        groups[-1].append(key)
        rows += n
    return groups


def _write_partitions(con: duckdb.DuckDBPyConnection, relation: duckdb.DuckDBPyRelation, name: str, keys: list[Key],
                      now: Mapping[Key, str], staging: Path, group_rows: int) -> dict[Key, tuple[str, Path]]:
    """Write the rows of the partitions ``keys`` under ``staging``, a group of partitions per
    ordered write (:func:`_groups`), and return each one's path as DuckDB named it and the
    folder it was written to. A group that is every partition there is reads the rows unfiltered."""
    import pyarrow  # imported by an export only: see export_parquet

    _, partitions, order = EXPORTS[name]
    written: dict[Key, tuple[str, Path]] = {}
    for number, group in enumerate(_groups(keys, now, group_rows)):
        rows = relation
        if len(group) < len(now):
            columns = {c: [k[i] for k in group] for i, c in enumerate(partitions)}
            con.register("_export_keys", pyarrow.table(columns, schema=pyarrow.schema([(c, pyarrow.string()) for c in partitions])))
            selected = relation.query("_export_rows", read_sql(_SELECTIONS[partitions]))
            assert selected is not None
            rows = selected
        folder = staging / str(number)
        _ordered(rows, order).write_parquet(str(folder), partition_by=list(partitions))
        for file in folder.rglob(_FILE):
            relative = file.parent.relative_to(folder)
            written[_key_of_folder(relative)] = (relative.as_posix(), file.parent)
        if rows is not relation:
            con.unregister("_export_keys")  # the connection is the caller's
    return written


@contextmanager
def _bounded_memory(con: duckdb.DuckDBPyConnection, spill: Path, memory_limit: str | None) -> Iterator[None]:
    """DuckDB's memory limit (``None``: the session's) and partitioned-write buffer for the
    export, the session's own back afterwards (the connection is the caller's).

    Sorts spill into ``spill``, in the folder the export writes anyway (the database's folder
    may be read-only to a reader). DuckDB removes that folder when the connection closes, and
    cannot move a spill folder it has used: a session that has spilled before keeps its own,
    and after the export the session keeps spilling into ``spill``.
    """
    before = execute_sql(con, "queries/export_settings.sql").fetchone()
    assert before is not None
    with suppress(duckdb.NotImplementedException):
        execute_sql(con, "session/export_temp_directory.sql", {"value": str(spill)})
    files = ("session/export_memory_limit.sql", "session/export_flush_rows.sql", "session/export_threads.sql")
    for file, value in zip(files, (memory_limit or before[0], FLUSH_ROWS, 1), strict=True):
        execute_sql(con, file, {"value": value})
    try:
        yield
    finally:
        for file, value in zip(files, before, strict=True):
            execute_sql(con, file, {"value": value})


def _replace(src: Path, dst: Path) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    src.rename(dst)


def _export_table(
    con: duckdb.DuckDBPyConnection, name: str, out_dir: Path, previous: Mapping[str, Any], group_rows: int,
) -> tuple[dict[str, Any], int, int, int]:
    """Bring ``out_dir/<name>`` up to date; return its manifest entry and (written, unchanged, removed)."""
    sql, partitions, order = EXPORTS[name]
    fmt = _format(sql, partitions, order)
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
            _ordered(relation, order).write_parquet(str(target / _FILE))
            written[()] = _Partition("", now[()])
    else:
        staging = out_dir / _STAGING / name
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)
        for key, (path, folder) in _write_partitions(con, relation, name, stale, now, staging, group_rows).items():
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


def export_parquet(con: duckdb.DuckDBPyConnection, out_dir: Path, *, memory_limit: str | None = EXPORT_MEMORY_LIMIT,
                   group_rows: int = GROUP_ROWS) -> ExportResult:
    """Bring the Parquet files under ``out_dir/<name>/`` up to date with the database: every
    table and view, hive-partitioned as :data:`EXPORTS` says
    (``athlete_id=<id>/year=<yyyy>/data_0.parquet``), writing only the partitions that changed
    since the last export into ``out_dir`` (see the module docstring).

    The fingerprints are a pass of their own that sorts nothing; the changed partitions are then
    written a group at a time, each group's rows sorted by DuckDB under
    :data:`EXPORT_MEMORY_LIMIT`, so the export's memory is that of one group however large the
    database grows, and its time linear in the rows written. ``memory_limit`` (DuckDB's, e.g.
    ``"400MB"``; ``None`` leaves the session's) and ``group_rows`` change those bounds, never
    the files.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = _load_manifest(out_dir)
    # Imported here, not with the module: every hamflow command imports this module, the ingest
    # too, and pyarrow's dataset layer is 20 MB of resident memory that only an export uses.
    import pyarrow.dataset

    entries: dict[str, Any] = {}
    rows: dict[str, int] = {}
    written = unchanged = removed = 0
    with _bounded_memory(con, out_dir / _SPILL, memory_limit):
        for name in EXPORTS:
            previous = manifest.get(name)
            entry, w, u, r = _export_table(con, name, out_dir, previous if isinstance(previous, dict) else {}, group_rows)
            entries[name] = entry
            written, unchanged, removed = written + w, unchanged + u, removed + r
            rows[name] = pyarrow.dataset.dataset(out_dir / name, format="parquet").count_rows()  # from the footers only
            # Written after each table, so an export stopped midway keeps what it finished.
            (out_dir / MANIFEST).write_text(json.dumps({**manifest, **entries}, indent=1, sort_keys=True))
    return ExportResult(rows, written, unchanged, removed)
