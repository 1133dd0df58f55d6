from __future__ import annotations

import pytest

from .seeds import seed_files


@pytest.fixture(scope="session")
def fuzz_seeds() -> dict[str, bytes]:
    """Seed files for the mutators: every corpus and sample file, large ones cropped."""
    return seed_files()
