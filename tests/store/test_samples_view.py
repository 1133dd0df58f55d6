"""``samples`` is a view over ``samples_stored`` (sql/009_samples_stored.sql): the loads are
computed, not stored, and must be exactly what the model computed; an older database moves its
rows over on its next write."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from hamflow.ingest.files import Candidate, sha256_of
from hamflow.ingest.prepare import prepare_file
from hamflow.model.config_load import load_config
from hamflow.store.connection import connection
from hamflow.store.prepared import PreparedFile
from hamflow.store.schema import ensure_schema, migrations
from hamflow.store.sqlfiles import execute_sql
from hamflow.store.writer import write_batch

from ..corpus import corpus_root
from ..helpers import SAMPLES, manifest

CONFIG = load_config(None)
LOADS = ["load", "posterior_load", "quad_load"]
#: Real recordings besides the generated month: a ride with power, a treadmill run, a flagged
#: heart-rate stream, a spin class with developer fields.
CORPUS = ["elevate/first-power-ride.fit", "elevate/treadmill.fit", "elevate/flagged-hr.fit", "fitutils/test.fit"]


def prepared_files() -> list[PreparedFile]:
    paths = [SAMPLES / f["path"] for f in manifest() if not f["broken"]][:12]
    paths += [corpus_root() / rel for rel in CORPUS]
    out = []
    for path in paths:
        st = os.stat(path)
        out.append(prepare_file(Candidate(str(path), st.st_size, st.st_mtime_ns, None, sha256_of(str(path))), CONFIG))
    return out


def model_samples(files: list[PreparedFile]) -> pl.DataFrame:
    frames = [f.samples for f in files if not f.samples.is_empty()]
    return pl.concat(frames, how="diagonal_relaxed").sort("workout_id", "ts_utc")


def stored_samples(db: Path) -> pl.DataFrame:
    with connection(db, read_only=True) as con:
        return con.sql("SELECT * FROM samples ORDER BY workout_id, ts_utc").pl()


def test_the_samples_view_gives_the_loads_the_model_computed_to_the_last_bit(tmp_path: Path) -> None:
    files = prepared_files()
    db = tmp_path / "h.duckdb"
    with connection(db) as con:
        ensure_schema(con)
        write_batch(con, files, run_id="r", weekly_params=CONFIG)
    expected = model_samples(files)
    got = stored_samples(db)
    assert got.height == expected.height > 10_000
    assert got.get_column("p").null_count() > 0 and got.get_column("load").sum() > 0  # both branches of the load
    # Exact equality, nulls included: the view repeats the model's floating-point operations.
    assert got.select("workout_id", "ts_utc", *LOADS).equals(expected.select("workout_id", "ts_utc", *LOADS))
    with connection(db, read_only=True) as con:
        stored = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                            "WHERE table_name = 'samples_stored'").fetchall()]
    assert not set(LOADS) & set(stored)


def test_a_database_of_the_previous_schema_keeps_every_sample_through_the_migration(tmp_path: Path) -> None:
    files = prepared_files()
    db = tmp_path / "old.duckdb"
    with connection(db) as con:  # the schema as version 8 left it, samples a table with its loads
        execute_sql(con, "meta/create_meta.sql")
        for number, text in migrations():
            if number <= 8:
                con.execute(text)
                execute_sql(con, "meta/record_migration.sql", {"version": number, "applied_at": datetime.now(UTC)})
        before = con.execute("SELECT column_name, data_type FROM information_schema.columns "
                             "WHERE table_name = 'samples' ORDER BY ordinal_position").fetchall()
        con.register("_old", model_samples(files).to_arrow())
        con.execute("INSERT INTO samples BY NAME SELECT * FROM _old")
    with connection(db) as con:
        assert ensure_schema(con) == max(n for n, _ in migrations())
        after = con.execute("SELECT column_name, data_type FROM information_schema.columns "
                            "WHERE table_name = 'samples' ORDER BY ordinal_position").fetchall()
        kinds = dict(con.execute("SELECT table_name, table_type FROM information_schema.tables").fetchall())
    assert after == before
    assert (kinds["samples"], kinds["samples_stored"]) == ("VIEW", "BASE TABLE")
    expected = model_samples(files)
    assert stored_samples(db).equals(expected.select(stored_samples(db).columns))
