"""``hamflow export`` into a folder it exported to before writes only what changed, and its files
are always exactly those of a first export into an empty folder."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hamflow.ingest import IngestOptions, ingest
from hamflow.ingest.reprocess import reprocess
from hamflow.model import DEFAULT_CONFIG, parse_config
from hamflow.store.connection import connection
from hamflow.store.export import EXPORTS, MANIFEST, export_parquet
from hamflow.store.sqlfiles import read_sql

from ..helpers import make_inbox, sample

OPTIONS = IngestOptions(settle_s=0)


def _files(out: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime) of every Parquet file under ``out``, by relative path."""
    return {p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*.parquet")}


def _export(db: Path, out: Path) -> tuple[int, int, int]:
    with connection(db, read_only=True) as con:
        result = export_parquet(con, out)
    return result.written, result.unchanged, result.removed


def assert_same_as_a_full_export(db: Path, out: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh-export"
    shutil.rmtree(fresh, ignore_errors=True)
    _export(db, fresh)
    assert set(_files(out)) == set(_files(fresh))
    for relative in _files(fresh):
        assert pq.read_table(out / relative).equals(pq.read_table(fresh / relative)), relative


@pytest.fixture
def db(tmp_path: Path) -> Path:
    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk"), sample("track_sprints")], "ben": [sample("bike", "ben")]})
    path = tmp_path / "h.duckdb"
    ingest([inbox], path, DEFAULT_CONFIG, OPTIONS)
    return path


def test_a_second_export_with_nothing_changed_rewrites_no_file(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    written, unchanged, removed = _export(db, out)
    assert written > 0 and unchanged == 0 and removed == 0
    before = _files(out)
    assert _export(db, out) == (0, written, 0)
    assert _files(out) == before  # the same inodes, never touched
    assert (out / MANIFEST).is_file()


def test_a_reprocess_of_one_athlete_rewrites_only_that_athletes_files_and_equals_a_full_export(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _export(db, out)
    before = _files(out)
    stricter = parse_config("[athletes.ben]\nbike_threshold_power_w = 120\n")
    assert reprocess(db, stricter, athlete="ben").workouts_changed > 0
    written, unchanged, removed = _export(db, out)
    after = _files(out)
    changed = {p for p in after if after[p] != before.get(p)}
    assert written == len(changed) > 0 and removed == 0 and unchanged == len(after) - written
    assert {p for p in changed if "athlete_id=" in p} and all("athlete_id=ben" in p for p in changed if "athlete_id=" in p)
    assert "samples/athlete_id=ben/year=2026/data_0.parquet" in changed  # the per-second rows were classified again
    assert_same_as_a_full_export(db, out, tmp_path)


def test_a_new_file_rewrites_its_partitions_and_an_athlete_gone_from_the_database_is_removed(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _export(db, out)
    ingest([make_inbox(tmp_path / "inbox2", {"ana": [sample("easy_run")]})], db, DEFAULT_CONFIG, OPTIONS)
    written, _, removed = _export(db, out)
    assert written > 0 and removed == 0
    assert_same_as_a_full_export(db, out, tmp_path)
    with duckdb.connect(str(db)) as con:  # an athlete's data deleted by hand, as a user might
        for table in ("samples_stored", "segments", "workout_patterns", "strength_sets", "workout_evidence"):
            con.execute(f"DELETE FROM {table} WHERE workout_id IN (SELECT workout_id FROM workouts WHERE athlete_id = 'ben')")
        for table in ("workouts", "weekly_posterior_load", "athlete_thresholds", "file_paths", "fit_files"):
            key = "file_sha256 IN (SELECT file_sha256 FROM fit_files WHERE athlete_id = 'ben')" if table == "file_paths" else "athlete_id = 'ben'"
            con.execute(f"DELETE FROM {table} WHERE {key}")
    _, _, removed = _export(db, out)
    assert removed > 0
    assert not [p for p in _files(out) if "athlete_id=ben" in p]
    assert not list(out.rglob("athlete_id=ben"))  # no empty folders left behind
    assert_same_as_a_full_export(db, out, tmp_path)


def test_a_deleted_file_or_a_lost_manifest_is_written_again(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    total, _, _ = _export(db, out)
    (out / "samples" / "athlete_id=ana" / "year=2026" / "data_0.parquet").unlink()
    assert _export(db, out)[0] == 1
    (out / MANIFEST).write_text("not json")
    assert _export(db, out) == (total, 0, 0)
    assert_same_as_a_full_export(db, out, tmp_path)


@pytest.fixture
def many_rows_db(db: Path) -> Path:
    """``db`` with each workout's seconds also under 20 more workout ids: files of about 200,000
    samples, which DuckDB writes in several runs when more than one thread writes them."""
    with duckdb.connect(str(db)) as con:
        for k in range(20):
            for table in ("samples_stored", "workouts"):
                con.execute(f"INSERT INTO {table} SELECT * REPLACE (workout_id || '~{k}' AS workout_id) FROM {table} "
                            "WHERE workout_id NOT LIKE '%~%'")
    return db


def test_an_export_under_a_small_memory_limit_a_partition_per_write_equals_one_unbounded_write(
        many_rows_db: Path, tmp_path: Path) -> None:
    bounded, unbounded = tmp_path / "bounded", tmp_path / "unbounded"
    with connection(many_rows_db, read_only=True) as con:
        small = export_parquet(con, bounded, memory_limit="64MB", group_rows=1)
    with connection(many_rows_db, read_only=True) as con:
        whole = export_parquet(con, unbounded, memory_limit=None, group_rows=10**12)
    assert small == whole and small.written > len(EXPORTS)  # several partitions per table
    assert set(_files(bounded)) == set(_files(unbounded))
    for relative in _files(unbounded):
        assert pq.read_table(bounded / relative).equals(pq.read_table(unbounded / relative)), relative


def test_every_file_holds_its_rows_in_the_declared_order(many_rows_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _export(many_rows_db, out)
    for name, (_, partitions, order) in EXPORTS.items():
        for file in (out / name).rglob("*.parquet"):
            rows = pl.read_parquet(file, hive_partitioning=False)
            by = [c for c in order if c not in partitions] or rows.columns
            assert rows.equals(rows.sort(by, nulls_last=True, maintain_order=True)), file


def test_an_export_gives_the_connection_its_own_settings_back(db: Path, tmp_path: Path) -> None:
    with connection(db, read_only=True) as con:
        con.execute("SET memory_limit = '1GiB'")
        con.execute("SET threads = 2")
        settings = "SELECT current_setting('memory_limit'), current_setting('threads'), current_setting('partitioned_write_flush_threshold')"
        before = con.execute(settings).fetchone()
        export_parquet(con, tmp_path / "out")
        assert con.execute(settings).fetchone() == before == ("1.0 GiB", 2, before[2])


def test_the_changed_partitions_are_selected_by_one_join_however_many_changed() -> None:
    """1,000 athletes x 3 years with every other athlete changed: the selection is the same join
    for 1,500 changed partitions as for 3 (a condition per partition grew with their number and,
    at 1,500, could not even be built)."""
    con = duckdb.connect()
    rows = con.sql("SELECT 'athlete' || (i % 1000) AS athlete_id, 2024 + (i // 1000) % 3 AS year, i FROM range(30000) AS t(i)")

    def selected(keys: list[tuple[str, str]]) -> tuple[int, list[tuple[str, str]]]:
        con.register("_export_keys", pa.table({"athlete_id": [a for a, _ in keys], "year": [y for _, y in keys]}))
        chosen = rows.query("_export_rows", read_sql("queries/export_partitions_athlete_year.sql"))
        assert chosen is not None
        plan = chosen.query("_chosen", "EXPLAIN SELECT * FROM _chosen").fetchall()[0][1]
        return len(chosen.fetchall()), re.findall(r"─ ([A-Z][A-Za-z ]+?) ─|Join Type: (\w+)", plan)

    few = selected([("athlete0", "2024"), ("athlete0", "2025"), ("athlete2", "2026")])
    many = selected([(f"athlete{a}", str(y)) for a in range(0, 1000, 2) for y in (2024, 2025, 2026)])
    assert few[0] == 30 and many[0] == 15000
    assert many[1] == few[1] and ("", "SEMI") in many[1]  # the same operators, a semi join among them
