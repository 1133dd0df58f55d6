"""The real-device FIT corpus, decoded once per test run.

Decoding every corpus file (180-odd) takes about a minute per core with fitparse, so the corpus is decoded in
a process pool (one worker per core) once, and every test that needs it shares the outcome.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import fitparse

from hamflow.fit import FitDecodeError, FitResult, read_fit

REPO = Path(__file__).resolve().parents[1]


def corpus_root() -> Path:
    """``../shared/fit_corpus`` beside the repository, or ``$HAMFLOW_CORPUS``."""
    return Path(os.environ.get("HAMFLOW_CORPUS", REPO.parent / "shared" / "fit_corpus"))


class _NoProcessing(fitparse.FitFileDataProcessor):
    """fitparse without value conversion: only message counts are needed for the reference."""

    def run_type_processor(self, field_data):  # type: ignore[no-untyped-def]
        pass

    def run_field_processor(self, field_data):  # type: ignore[no-untyped-def]
        pass

    def run_unit_processor(self, field_data):  # type: ignore[no-untyped-def]
        pass

    def run_message_processor(self, data_message):  # type: ignore[no-untyped-def]
        pass


@dataclass(frozen=True)
class CorpusFile:
    rel: str
    outcome: FitResult | FitDecodeError | None
    escaped: str | None  # an exception other than FitDecodeError: always a bug
    fitparse_records: int
    fitparse_error: str | None  # fitparse alone stopped with this error


def _decode(path: Path, root: Path) -> CorpusFile:
    outcome: FitResult | FitDecodeError | None = None
    escaped = None
    try:
        outcome = read_fit(path)
    except FitDecodeError as exc:
        outcome = exc
    except Exception as exc:  # noqa: BLE001 - reported by the tests as a failure
        escaped = f"{type(exc).__name__}: {exc}"
    count, error = 0, None
    try:
        for _ in fitparse.FitFile(str(path), check_crc=False, data_processor=_NoProcessing()).get_messages("record"):
            count += 1
    except Exception as exc:  # noqa: BLE001 - fitparse's own verdict on a broken file
        error = f"{type(exc).__name__}: {exc}"
    return CorpusFile(str(path.relative_to(root)), outcome, escaped, count, error)


def decode_corpus() -> dict[str, CorpusFile]:
    root = corpus_root()
    files = sorted((p for p in root.rglob("*") if p.suffix.lower() == ".fit"), key=lambda p: -p.stat().st_size)
    if not files:
        raise RuntimeError(f"the FIT corpus is missing: no files under {root}")
    # spawn, not fork: polars' thread pool does not survive a fork.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2, mp_context=context) as pool:
        decoded = list(pool.map(_decode, files, [root] * len(files), chunksize=1))
    return {d.rel: d for d in sorted(decoded, key=lambda d: d.rel)}
