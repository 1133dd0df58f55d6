from __future__ import annotations

from collections.abc import Iterator

import pytest

from .seeds import seed_files


@pytest.fixture(scope="session")
def fuzz_seeds() -> dict[str, bytes]:
    """Seed files for the mutators: every corpus and sample file, large ones cropped."""
    return seed_files()


@pytest.fixture(scope="session")
def prefect_api_url() -> Iterator[str]:
    """A Prefect API for ``hamflow ingest`` children (engine prefect), started once.

    Without it every child would start and migrate a temporary server of its own (10-25 s).
    """
    from prefect.settings import (PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, PREFECT_LOGGING_LEVEL,
                                  PREFECT_SERVER_ANALYTICS_ENABLED, temporary_settings)
    from prefect.testing.utilities import prefect_test_harness

    quiet = {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None, PREFECT_LOGGING_LEVEL: "WARNING", PREFECT_SERVER_ANALYTICS_ENABLED: False}
    with temporary_settings(updates=quiet):
        with prefect_test_harness(server_startup_timeout=120):
            yield str(PREFECT_API_URL.value())
