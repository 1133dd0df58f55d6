"""The README's dashboard recipes, as far as this machine can run them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import sqlalchemy as sa
from click.testing import CliRunner

from hamflow.cli import cli

from ..helpers import compat_python


def test_superset_duckdb_engine_read_only(month_db: Path) -> None:
    """Superset (and any SQLAlchemy tool) through duckdb-engine with read_only, as documented."""
    engine = sa.create_engine(f"duckdb:///{month_db}", connect_args={"read_only": True})
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT athlete_id, week_start, posterior_share FROM weekly_last_12 ORDER BY 1, 2")).fetchall()
        try:
            conn.execute(sa.text("DELETE FROM workouts"))
            modified = True
        except sa.exc.DBAPIError:
            modified = False
    engine.dispose()
    assert not modified
    with duckdb.connect(str(month_db), read_only=True) as con:
        expected = con.execute("SELECT athlete_id, week_start, posterior_share FROM weekly_last_12 ORDER BY 1, 2").fetchall()
    assert [tuple(r) for r in rows] == expected and len(expected) >= 8


def test_parquet_export_reads_in_another_duckdb(month_db: Path, tmp_path: Path) -> None:
    """Evidence or any Parquet reader: the export, read by a DuckDB 1.4 with hive partitioning."""
    out = tmp_path / "export"
    assert CliRunner().invoke(cli, ["export", "--db", str(month_db), "--out", str(out)]).exit_code == 0
    script = (
        "import sys, duckdb; print(duckdb.connect().execute('SELECT count(*), count(DISTINCT athlete_id) FROM "
        "read_parquet(?, hive_partitioning = true)', [sys.argv[1] + '/weekly_posterior_load/**/*.parquet']).fetchall()[0])"
    )
    done = subprocess.run([compat_python(), "-c", script, str(out)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(month_db), read_only=True) as con:
        n = con.execute("SELECT count(*) FROM weekly_posterior_load").fetchall()[0][0]
    assert done.stdout.strip() == f"({n}, 2)"


def readme_coach_queries() -> list[str]:
    text = (Path(__file__).parents[2] / "README.md").read_text()
    block = text.split("### Three queries a coach would run", 1)[1].split("```sql", 1)[1].split("```", 1)[0]
    return [q.strip() for q in block.split(";") if q.strip()]


def test_the_readmes_coach_queries_answer_on_data_of_any_age(month_db: Path) -> None:
    """The sample month is weeks old by now and will be years old: 'the last 4 weeks' must mean
    each athlete's last 4 weeks of data, not the 4 weeks before today."""
    queries = readme_coach_queries()
    assert len(queries) == 3
    with duckdb.connect(str(month_db), read_only=True) as con:
        results = [con.execute(q).fetchall() for q in queries]
    share, _flagged, patterns = results
    assert {r[0] for r in share} == {"ana", "ben"} and all(r[1] is not None for r in share)
    assert {r[0] for r in patterns} == {"ana", "ben"} and sum(r[3] for r in patterns) > 0
