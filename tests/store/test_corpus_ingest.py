"""Every real corpus file through the store in one run (reusing the run's single decode)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from hamflow.fit import FitResult
from hamflow.ingest.files import discover, with_hashes
from hamflow.ingest.prepare import prepare_decoded
from hamflow.model import load_config
from hamflow.store.connection import connection
from hamflow.store.schema import ensure_schema
from hamflow.store.writer import write_batch

from ..corpus import CorpusFile, corpus_root

README = Path(__file__).resolve().parents[2] / "README.md"


def test_whole_corpus_ingests_in_one_run(corpus: dict[str, CorpusFile], tmp_path: Path) -> None:
    root = corpus_root()
    config = load_config(None)
    candidates = with_hashes(discover([root]))
    assert len(candidates) == len(corpus)
    prepared = [prepare_decoded(c, corpus[str(Path(c.path).relative_to(root))].outcome, config, athlete="corpus") for c in candidates]
    db = tmp_path / "corpus.duckdb"
    with connection(db) as con:
        ensure_schema(con)
        for i in range(0, len(prepared), 20):
            write_batch(con, prepared[i : i + 20], run_id="corpus", weekly_params=config)
    with duckdb.connect(str(db), read_only=True) as con:
        status = dict(con.execute("SELECT file_sha256, status FROM fit_files").fetchall())
        with_workouts = {s for (s,) in con.execute("SELECT DISTINCT file_sha256 FROM workouts").fetchall()}
        weeks = con.execute("SELECT count(*) FROM weekly_posterior_load").fetchall()[0][0]
    distinct = {c.sha256 for c in candidates}
    assert len(status) == len(distinct)  # identical bytes appear under two names in the corpus: one row
    for c in candidates:
        outcome = corpus[str(Path(c.path).relative_to(root))].outcome
        timed = isinstance(outcome, FitResult) and any(s.records.height for s in outcome.sessions)
        if isinstance(outcome, FitResult) and outcome.is_activity and timed:
            assert status[c.sha256] == "ingested" and c.sha256 in with_workouts, c.path
        elif isinstance(outcome, FitResult):
            # not an activity, or an activity none of whose records can be placed in time
            # (swim files whose records carry no timestamp): recorded, with nothing to analyse
            assert status[c.sha256] == "not_activity", c.path
        else:
            assert status[c.sha256] == "quarantined", c.path
    assert weeks > 100


def test_the_readmes_coach_queries_run(month_db: Path) -> None:
    block = README.read_text().split("### Three queries a coach would run", 1)[1].split("```sql", 1)[1].split("```", 1)[0]
    queries = [q.strip().rstrip(";") for q in block.split(";") if "SELECT" in q]
    assert len(queries) == 3
    with duckdb.connect(str(month_db), read_only=True) as con:
        for q in queries:
            con.execute(q).fetchall()
        by_pattern = con.execute(queries[2].replace("current_date", "DATE '2026-11-02'")).fetchall()
        broken = con.execute(queries[1]).fetchall()
    assert by_pattern and broken  # the sample month has data for both
