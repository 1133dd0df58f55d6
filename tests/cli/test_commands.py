"""The store's commands as a user runs them: outputs, read-only SQL, one-line errors."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import duckdb
import polars as pl
import pytest
from click.testing import CliRunner

from hamflow.cli import cli

from ..helpers import assert_same, make_inbox, sample, snapshot


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    inbox = make_inbox(root / "inbox", {"ana": [sample("incline_walk"), sample("track_sprints")], "ben": [sample("bike", "ben")]})
    path = root / "h.duckdb"
    result = CliRunner().invoke(cli, ["ingest", str(inbox), "--db", str(path), "--engine", "local", "--settle", "0"])
    assert result.exit_code == 0, result.output
    assert "latest week with data" in result.output and str(path) in result.output
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_weeks_as_table_csv_and_json(db: Path) -> None:
    code, table = run("weeks", "--db", str(db))
    assert code == 0 and "posterior_share" in table.splitlines()[0]
    code, text = run("weeks", "--db", str(db), "--athlete", "ana", "--format", "csv")
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed and {r["athlete_id"] for r in parsed} == {"ana"}
    code, text = run("weeks", "--db", str(db), "--format", "json")
    assert {r["athlete_id"] for r in json.loads(text)} == {"ana", "ben"}


def test_workouts_lists_verdicts(db: Path) -> None:
    code, text = run("workouts", "--db", str(db), "--format", "json")
    data = json.loads(text)
    assert code == 0 and len(data) == 3
    assert all(w["workout_class"] in {"posterior", "quad", "mixed"} and w["reasons"] for w in data)


def test_sql_reads(db: Path) -> None:
    code, text = run("sql", "SELECT count(*) AS n FROM workouts", "--db", str(db), "--format", "json")
    assert code == 0 and json.loads(text) == [{"n": 3}]


#: A value of every kind of DuckDB type that polars has no dtype for, or that JSON cannot hold.
AWKWARD_TYPES = (
    "SELECT finished_at - started_at AS took, INTERVAL 90 MINUTE AS i, 1.50::DECIMAL(10, 2) AS d, "
    "'abc'::BLOB AS b, '6ad3bd5e-7d1a-4a45-9c7b-0d8c2e7c4a3e'::UUID AS u, MAP {1: 'x'} AS m, "
    "union_value(n := 2) AS un, 'NaN'::DOUBLE AS nan, TIME '10:00' AS t, BIT '101' AS bits, "
    "{'a': [1, 2]} AS st FROM ingest_runs LIMIT 1"
)


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_sql_prints_every_type_a_query_can_return(db: Path, fmt: str) -> None:
    code, text = run("sql", AWKWARD_TYPES, "--db", str(db), "--format", fmt)
    assert code == 0, text
    if fmt == "json":
        (row,) = json.loads(text)  # strict JSON: no NaN literal
        assert row["i"] == 5400.0 and row["d"] == "1.50" and row["b"] == "\\x616263" and row["m"] == {"1": "x"}
        assert row["took"] >= 0 and row["nan"] == "nan" and row["st"] == {"a": [1, 2]}
    elif fmt == "csv":
        (row,) = list(csv.DictReader(io.StringIO(text)))
        assert row["i"] == "1:30:00" and row["u"] == "6ad3bd5e-7d1a-4a45-9c7b-0d8c2e7c4a3e" and row["bits"] == "101"
    else:
        assert "1:30:00" in text.splitlines()[2] and "\\x616263" in text


def _state(db: Path, folder: Path) -> tuple[str, list[str], list[str]]:
    """The database file's bytes (as a hash), the files beside it, and the files in ``folder``."""
    return (hashlib.sha256(db.read_bytes()).hexdigest(), sorted(p.name for p in db.parent.iterdir()),
            sorted(str(p.relative_to(folder)) for p in folder.rglob("*")))


#: (statement, must it fail): every one of them leaves the database file and the disk unchanged.
SQL_ATTEMPTS = [
    ("DELETE FROM workouts", True),
    ("DROP TABLE samples", True),
    ("UPDATE fit_files SET status = 'quarantined'", True),
    ("CREATE TABLE x (i INTEGER)", True),
    ("INSERT INTO workouts SELECT * FROM workouts", True),
    ("DROP VIEW weekly_last_12", True),
    ("ATTACH 'other.duckdb'", True),
    ("ATTACH 'new.duckdb' AS n (READ_ONLY false)", True),
    ("ATTACH '{db}' AS again (READ_ONLY false)", True),
    ("COPY workouts TO 'leak.csv'", True),
    ("COPY (SELECT * FROM fit_files) TO 'leak.parquet' (FORMAT parquet)", True),
    ("COPY (SELECT 'garbage') TO '{db}.wal'", True),
    ("EXPORT DATABASE 'dump'", True),
    ("PRAGMA import_database('dump')", True),
    ("SELECT * FROM read_csv('{tmp}/data.csv')", True),
    ("LOAD httpfs", True),
    ("SELECT 1 AS one; DELETE FROM workouts", True),
    ("DELETE FROM workouts; SELECT 1 AS one", True),
    ("BEGIN TRANSACTION; DROP TABLE samples; COMMIT", True),
    ("SET enable_external_access = true; COPY workouts TO 'leak.csv'", True),
    ("CHECKPOINT", False),
    ("PRAGMA force_checkpoint", False),
    ("PRAGMA enable_checkpoint_on_shutdown", False),
]


@pytest.mark.parametrize(("statement", "must_fail"), SQL_ATTEMPTS, ids=[s for s, _ in SQL_ATTEMPTS])
def test_sql_cannot_modify_the_database(db: Path, statement: str, must_fail: bool, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # where relative paths in the statement would land
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    before = _state(db, tmp_path)
    code, text = run("sql", statement.format(db=db, tmp=tmp_path), "--db", str(db))
    if must_fail:
        assert code != 0 and "Error" in text, text
        assert len(text.strip().splitlines()) == 1, text
    assert _state(db, tmp_path) == before, text
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM workouts").fetchone() == (3,)
        assert con.execute("SELECT count(*) FROM samples").fetchone()[0] > 0


def test_export_writes_every_table_and_view_a_file_per_athlete_year_readable_by_polars_and_duckdb(db: Path, tmp_path: Path) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text().split("### Tables", 1)[1].split("\n\n", 2)[1]
    tables = {line.split("`")[1] for line in readme.splitlines() if line.startswith("| `")}
    assert {"samples", "workout_patterns", "strength_sets", "ingest_runs"} <= tables
    out = tmp_path / "out"
    for _ in range(2):  # a second export replaces the first, it does not add to it
        code, text = run("export", "--db", str(db), "--out", str(out))
        assert code == 0, text
    with duckdb.connect(str(db), read_only=True) as con:
        views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
        expected = {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in tables | views}
    exported = {p.name for p in out.iterdir() if p.is_dir()}
    assert exported == set(expected)
    for name, n in expected.items():
        frame = pl.read_parquet(out / name / "**" / "*.parquet", hive_partitioning=True) if n else None
        assert (frame.height if frame is not None else 0) == n, name
    samples = sorted(p.relative_to(out / "samples").as_posix() for p in (out / "samples").rglob("*.parquet"))
    assert samples == ["athlete_id=ana/year=2026/data_0.parquet", "athlete_id=ben/year=2026/data_0.parquet"]
    with duckdb.connect() as con:  # pattern minutes rebuilt from the Parquet alone
        rebuilt = con.execute(
            "SELECT count(*) FROM read_parquet(?, hive_partitioning = true) p "
            "JOIN read_parquet(?, hive_partitioning = true) w USING (workout_id)",
            [str(out / "workout_patterns/**/*.parquet"), str(out / "workouts/**/*.parquet")],
        ).fetchone()[0]
    assert rebuilt == expected["workout_patterns"]


def one_line_error(code: int, text: str) -> str:
    assert code != 0
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


def test_missing_path(tmp_path: Path) -> None:
    line = one_line_error(*run("ingest", str(tmp_path / "nope"), "--db", str(tmp_path / "h.duckdb"), "--engine", "local"))
    assert "no such file or directory" in line


def test_folder_without_fit_files(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "notes.txt").write_text("hello")
    line = one_line_error(*run("ingest", str(tmp_path / "inbox"), "--db", str(tmp_path / "h.duckdb"), "--engine", "local"))
    assert "no FIT files" in line


def test_database_that_is_not_hamflows(tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE invoices (id INTEGER)")
    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk")]})
    line = one_line_error(*run("ingest", str(inbox), "--db", str(other), "--engine", "local"))
    assert "not a hamflow database" in line
    line = one_line_error(*run("weeks", "--db", str(other)))
    assert "not a hamflow database" in line


def test_unwritable_database_folder(tmp_path: Path) -> None:
    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk")]})
    line = one_line_error(*run("ingest", str(inbox), "--db", str(tmp_path / "missing" / "h.duckdb"), "--engine", "local"))
    assert "does not exist" in line


def test_help_reads_like_a_manual() -> None:
    code, text = run("--help")
    assert code == 0
    for command in ("inspect", "ingest", "weeks", "workouts", "sql", "export", "reprocess", "explain", "report", "serve"):
        assert command in text


@pytest.mark.parametrize("command", ["weeks", "workouts", "athletes", "next", "report", "reprocess"])
def test_an_unknown_athlete_is_an_error_that_names_the_known_ones(db: Path, command: str, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    extra = ["--out", str(out)] if command == "report" else []
    code, text = run(command, "--db", str(db), "--athlete", "nobody", *extra)
    assert code != 0 and text.strip().splitlines() == ["Error: no athlete 'nobody' in this database; known athletes: ana, ben"]
    assert not out.exists()


@pytest.mark.parametrize(("args", "message"), [
    (["ingest", "--engine", "local", "--task-runner", "dask"], "--task-runner: for --engine prefect only"),
    (["ingest", "--engine", "local", "--workers", "2", "--dask-address", "tcp://h:8786"], "--dask-address: for --engine prefect only"),
    (["ingest", "--dask-address", "tcp://h:8786"], "--dask-address needs --task-runner dask"),
    (["inspect", "--format", "json"], "--format applies to --summary"),
])
def test_an_option_that_would_be_ignored_is_an_error(args: list[str], message: str, tmp_path: Path) -> None:
    db = tmp_path / "untouched.duckdb"
    code, text = run(*args, str(Path(__file__).parents[2] / "sample_fit"), *(["--db", str(db)] if args[0] == "ingest" else []))
    assert code == 2 and f"Error: {message}" in text, text
    assert not db.exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--every", "15m", "--cron", "0 3 * * *"], "--cron and --every: give one schedule"),
    (["--every", "fortnightly"], "'fortnightly' is not a duration: write a number and s, m, h or d, e.g. 15m"),
    (["--every", "0s"], "'0s' is not a duration between 1 second and 365 days"),
    (["--every", "inf"], "'inf' is not a duration between 1 second and 365 days"),
])
def test_a_serve_schedule_that_cannot_be_kept_is_a_usage_error_before_any_server_starts(
        args: list[str], message: str, tmp_path: Path) -> None:
    code, text = run("serve", "--inbox", str(tmp_path), "--db", str(tmp_path / "h.duckdb"), *args)
    assert code == 2 and text.strip().splitlines()[-1].endswith(message), text
    assert list(tmp_path.iterdir()) == []  # no database, no server home


def test_a_serve_interval_reads_as_people_write_it() -> None:
    from datetime import timedelta

    from hamflow.cli.options import Duration

    assert [Duration().convert(text, None, None) for text in ("90", "90s", "1.5m", "6h", "1d", " 15M ")] == [
        timedelta(seconds=90), timedelta(seconds=90), timedelta(seconds=90), timedelta(hours=6), timedelta(days=1),
        timedelta(minutes=15)]


def test_engine_local_takes_workers_as_its_threads_and_one_thread_writes_the_same_tables(db: Path, tmp_path: Path) -> None:
    inbox = make_inbox(tmp_path / "inbox", {"ana": [sample("incline_walk"), sample("track_sprints")], "ben": [sample("bike", "ben")]})
    one = tmp_path / "one.duckdb"
    code, text = run("ingest", str(inbox), "--db", str(one), "--engine", "local", "--settle", "0", "--workers", "1")
    assert code == 0 and text.startswith("ingest completed"), text
    assert_same(snapshot(db), snapshot(one))
