from __future__ import annotations

import pytest

from .corpus import CorpusFile, decode_corpus


@pytest.fixture(scope="session")
def corpus() -> dict[str, CorpusFile]:
    """Every corpus file decoded once for the whole run (see tests/corpus.py)."""
    return decode_corpus()
