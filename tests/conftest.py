from __future__ import annotations

from pathlib import Path

import pytest

from .corpus import CorpusFile, decode_corpus


@pytest.fixture(scope="session")
def corpus() -> dict[str, CorpusFile]:
    """Every corpus file decoded once for the whole run (see tests/corpus.py).

    Always with the fitparse reference decoder, so tests/test_fit_fast.py can compare the fast
    path against it; the pool's worker processes inherit the setting from the environment.
    """
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HAMFLOW_DECODER", "fitparse")
        return decode_corpus()


@pytest.fixture(scope="session")
def month_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole sample month (sample_fit/), ingested once into a fresh database."""
    from hamflow.ingest import IngestOptions, ingest
    from hamflow.model import load_config

    from .helpers import SAMPLES

    db = tmp_path_factory.mktemp("month") / "hamflow.duckdb"
    report = ingest([str(SAMPLES)], db, load_config(None), IngestOptions(settle_s=0.0))
    assert report.status == "completed"
    return db
