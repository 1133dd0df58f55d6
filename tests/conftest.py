from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hamflow.fit import FitResult, Session, read_fit
from hamflow.model import DEFAULT_CONFIG, ClassifiedSession, classify_file

from .corpus import CorpusCache, CorpusFile, decode_corpus, default_cache_dir
from .helpers import SAMPLES


@pytest.fixture(scope="session", autouse=True)
def own_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The report's Vega bundle is kept in a cache folder of the run's own, for this process and
    the commands it starts, so that the user's cache neither serves the tests nor receives files."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield


@pytest.fixture(scope="session")
def corpus() -> dict[str, CorpusFile]:
    """Every corpus file decoded once for the whole run, with the fitparse reference decoder (so
    tests/fit/test_fast.py can compare the fast path against it), or read from build/test-cache/
    where an earlier run decoded the same bytes with the same decoder (see tests/corpus.py)."""
    folder = default_cache_dir()
    return decode_corpus(cache=CorpusCache(folder) if folder is not None else None)


@pytest.fixture(scope="session")
def classified_corpus(corpus: dict[str, CorpusFile]) -> list[tuple[str, Session, ClassifiedSession]]:
    """Every session of every decodable corpus activity through the model once, with built-in
    defaults: (corpus path, decoded session, classified session), in path order."""
    out = []
    for rel, item in sorted(corpus.items()):
        if isinstance(item.outcome, FitResult) and item.outcome.is_activity:
            classified = classify_file(item.outcome, athlete_id=None, config=DEFAULT_CONFIG)
            out += [(rel, s, c) for s, c in zip(item.outcome.sessions, classified, strict=True)]
    return out


@pytest.fixture(scope="session")
def prefect_api_url(migrated_prefect_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Prefect's server, one per test process for the whole run, started by the first test that
    asks for it: the temporary server ``hamflow ingest`` itself starts (``hamflow_flows.server``),
    on a home seeded with the run's migrated database, so it skips the migrations (10 s to start
    instead of 20-27 s on this machine).

    The flow tests (in this process) and the hardening tests (``hamflow ingest --engine prefect``
    children, which get the URL) share it: without it every child would start a temporary server
    of its own (10-25 s). No per-flow heartbeat wait (about 1 s per flow run), quiet logs.
    """
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        PREFECT_LOGGING_LEVEL,
        PREFECT_SERVER_ANALYTICS_ENABLED,
        temporary_settings,
    )

    from hamflow_flows.server import local_prefect_server
    from tests.hardening.procs import seed_prefect_home

    home = seed_prefect_home(tmp_path_factory.mktemp("prefect-server-home"), migrated_prefect_home)
    quiet = {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None, PREFECT_LOGGING_LEVEL: "WARNING", PREFECT_SERVER_ANALYTICS_ENABLED: False}
    with contextlib.ExitStack() as stack:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("PREFECT_HOME", str(home))  # the server's only: it reads its database there
            # The start-up timeout is a hang guard: starting is slow under load.
            url = stack.enter_context(local_prefect_server(scheduling=False, start_timeout_s=300, log_path=home / "server.log"))
        stack.enter_context(temporary_settings(updates={**quiet, PREFECT_API_URL: url}))
        yield url
        _drain_prefect_workers()


@pytest.fixture(scope="module")
def prefect_in_process(prefect_api_url: str) -> Iterator[str]:
    """Prefect's server for a module whose flows run in this process, with the process's own
    event and log workers stopped when the module ends. Left running, the events worker keeps a
    websocket open whose keepalive pings draw from the global ``random`` (websockets does), and a
    ping that lands while Hypothesis draws an example in a later module of the same test process
    is reported as a strategy using the ``random`` module."""
    yield prefect_api_url
    _drain_prefect_workers()


def _drain_prefect_workers() -> None:
    """Send what this process's log and event workers still hold before the server stops, so
    that nothing is left to fail against a closed port at exit."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=30)
    EventsWorker.drain_all(timeout=30)


@pytest.fixture(scope="session")
def migrated_prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Prefect home whose database Prefect has created and migrated, once for the whole run
    (both test processes share it): a temporary server's first start on a new home migrates
    its database, about 11 CPU seconds. Tests about a server's life, not its first start, begin
    from a copy (:func:`tests.hardening.procs.seed_prefect_home`); the first start keeps a test
    of its own (tests/hardening/test_prefect_startup.py)."""
    import fcntl
    import importlib.metadata
    import os

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the run's folder under xdist
    home = shared / f"prefect-home-migrated-{importlib.metadata.version('prefect')}"
    with open(shared / "prefect-home-migrated.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (home / "prefect.db").exists():
            building = shared / f"{home.name}.building"
            env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
            env.update(PREFECT_HOME=str(building), PREFECT_SERVER_ANALYTICS_ENABLED="false")
            subprocess.run([sys.executable, "-m", "prefect", "server", "database", "upgrade", "-y"], env=env,
                           check=True, capture_output=True, timeout=600)
            building.rename(home)
    return home


#: A two-worker cluster in its own process; prints its address, lives until stdin closes.
DASK_CLUSTER = """
import sys
from distributed import LocalCluster
with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
    print(cluster.scheduler_address, flush=True)
    sys.stdin.read()
"""


@pytest.fixture(scope="session")
def dask_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Dask cluster that is not this process's, one for the whole run: its scheduler and
    workers run in another working directory, as on any real cluster. Starting one costs a
    scheduler and two worker processes that each import the flows."""
    elsewhere = tmp_path_factory.mktemp("workers-cwd")
    proc = subprocess.Popen([sys.executable, "-c", DASK_CLUSTER], cwd=elsewhere, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdin is not None
    address = proc.stdout.readline().strip()
    assert address.startswith("tcp://"), address
    yield address
    proc.stdin.close()
    proc.wait(timeout=120)


@pytest.fixture(scope="session")
def month_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole sample month (sample_fit/), ingested once into a fresh database."""
    from hamflow.ingest import IngestOptions, ingest
    from hamflow.model import load_config

    db = tmp_path_factory.mktemp("month") / "hamflow.duckdb"
    report = ingest([str(SAMPLES)], db, load_config(None), IngestOptions(settle_s=0.0))
    assert report.status == "completed"
    return db


@dataclass(frozen=True)
class SampleFile:
    entry: dict[str, Any]
    result: FitResult
    classified: list[ClassifiedSession]


@pytest.fixture(scope="session")
def manifest() -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((SAMPLES / "manifest.json").read_text())
    return manifest


@pytest.fixture(scope="session")
def month(manifest: dict[str, Any]) -> dict[str, SampleFile]:
    """Every sound file of the sample month, decoded and classified once with the defaults."""
    out = {}
    for entry in manifest["files"]:
        if entry["broken"]:
            continue
        result = read_fit(SAMPLES / entry["path"])
        out[entry["path"]] = SampleFile(entry, result, classify_file(result, athlete_id=entry["athlete"], config=DEFAULT_CONFIG))
    return out
