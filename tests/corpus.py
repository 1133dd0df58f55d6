"""The real-device FIT corpus, decoded once per test run and kept on disk for the next run.

Decoding every corpus file (180-odd) with fitparse takes about a minute per core, so the
``corpus`` fixture decodes the corpus once per run, in a process pool (one worker per core),
and every test that needs it shares the outcome. Each file's outcome is also cached between runs
(:class:`CorpusCache`), so a second run decodes nothing unless a file or the decoder changed:

- an entry is named by the sha256 of the file's bytes, so a changed file misses and identical
  bytes under two names are decoded once;
- entries live in a folder named by the decoder's fingerprint (:func:`fingerprint`: the cache
  format, the fitparse, polars and Python versions, and the source of ``hamflow.fit`` and of this
  module), so any change to the decoder misses every entry; folders of other fingerprints are
  removed;
- an entry that does not load (cut short, corrupt, written by something else) is decoded again
  and rewritten; entries are written to a temporary name and renamed, so a killed run leaves no
  half-written entry under a real name.

Entries are pickles of our own dataclasses and polars frames, read only from this checkout's
``build/test-cache/``. ``HAMFLOW_TEST_CACHE`` names another folder, or ``off`` decodes
everything afresh.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import multiprocessing
import os
import pickle
import shutil
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fitparse
import polars as pl

import hamflow.fit
from hamflow.fit import FitDecodeError, FitResult, decoder_version, read_fit

REPO = Path(__file__).resolve().parents[1]
#: The reference decoder every corpus outcome comes from (the fast path is compared against it).
DECODER = "fitparse"
#: Bump when what an entry holds changes in a way the fingerprint's sources do not show.
CACHE_FORMAT = 1
CACHE_ENV = "HAMFLOW_TEST_CACHE"


def corpus_root() -> Path:
    """``../shared/fit_corpus`` beside the repository, or ``$HAMFLOW_CORPUS``."""
    return Path(os.environ.get("HAMFLOW_CORPUS", REPO.parent / "shared" / "fit_corpus"))


def corpus_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix.lower() == ".fit")


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
        outcome = read_fit(path, decoder=DECODER)
    except FitDecodeError as exc:
        outcome = exc
    except Exception as exc:
        escaped = f"{type(exc).__name__}: {exc}"
    count, error = 0, None
    try:
        for _ in fitparse.FitFile(str(path), check_crc=False, data_processor=_NoProcessing()).get_messages("record"):
            count += 1
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    return CorpusFile(str(path.relative_to(root)), outcome, escaped, count, error)


def _placed(item: CorpusFile, path: Path, root: Path) -> CorpusFile:
    """``item`` as decoded from ``path``: the only part of an outcome that names its file."""
    outcome = item.outcome
    if isinstance(outcome, FitResult):
        outcome = dataclasses.replace(outcome, path=str(path))
    return dataclasses.replace(item, rel=str(path.relative_to(root)), outcome=outcome)


def fingerprint_parts() -> dict[str, str]:
    """Everything a decoded outcome depends on besides the file's bytes."""
    sources = hashlib.sha256()
    for source in [*sorted(Path(hamflow.fit.__file__).parent.glob("*.py")), Path(__file__)]:
        sources.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return {
        "cache_format": str(CACHE_FORMAT),
        "decoder": f"{DECODER} {decoder_version(DECODER)}",
        "polars": pl.__version__,
        "python": ".".join(map(str, sys.version_info[:3])),
        "sources": sources.hexdigest(),
    }


def fingerprint(parts: dict[str, str] | None = None) -> str:
    text = json.dumps(parts or fingerprint_parts(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def default_cache_dir() -> Path | None:
    """``build/test-cache`` in this checkout, ``$HAMFLOW_TEST_CACHE``, or None when that is ``off``."""
    value = os.environ.get(CACHE_ENV, "").strip()
    if value.lower() in ("off", "0", "no", "false"):
        return None
    return Path(value) if value else REPO / "build" / "test-cache"


class CorpusCache:
    """Decoded corpus files by the sha256 of their bytes, under ``<root>/corpus/<fingerprint>/``."""

    def __init__(self, root: Path, parts: dict[str, str] | None = None) -> None:
        parts = parts or fingerprint_parts()
        base = root / "corpus"
        self.folder = base / fingerprint(parts)
        self.folder.mkdir(parents=True, exist_ok=True)
        for other in base.iterdir():  # entries of another decoder can never be read again
            if other.is_dir() and other != self.folder:
                shutil.rmtree(other, ignore_errors=True)
        (self.folder / "fingerprint.json").write_text(json.dumps(parts, indent=2, sort_keys=True) + "\n")

    def entry(self, sha256: str) -> Path:
        return self.folder / f"{sha256}.pickle"

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Held while a run looks up and fills the cache: test processes running side by side
        (``pytest -n``) then decode each file once between them, the others reading the entries."""
        with open(self.folder / ".lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def load(self, sha256: str) -> CorpusFile | None:
        """The cached outcome of the file with these bytes; None when missing or unreadable."""
        try:
            with open(self.entry(sha256), "rb") as handle:
                payload: Any = pickle.load(handle)
            if payload["format"] == CACHE_FORMAT and payload["sha256"] == sha256 and isinstance(payload["file"], CorpusFile):
                item: CorpusFile = payload["file"]
                return item
        except FileNotFoundError:
            return None
        except Exception:
            return None
        return None

    def save(self, sha256: str, item: CorpusFile) -> None:
        data = pickle.dumps({"format": CACHE_FORMAT, "sha256": sha256, "file": item}, protocol=pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{sha256[:12]}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, self.entry(sha256))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def decode_corpus(root: Path | None = None, cache: CorpusCache | None = None, *,
                  workers: int | None = None) -> dict[str, CorpusFile]:
    """rel path -> decoded outcome for every FIT file under ``root`` (default :func:`corpus_root`).

    Files found in ``cache`` are not decoded; the others are decoded (once per distinct content)
    in ``workers`` processes (default one per core; 0: in this process) and added to it.
    """
    root = root or corpus_root()
    files = corpus_files(root)
    if not files:
        raise RuntimeError(f"the FIT corpus is missing: no files under {root}")
    by_hash = _by_hash(files)
    with cache.exclusive() if cache is not None else contextlib.nullcontext():
        decoded = _decoded(by_hash, root, cache, workers)
    out = [_placed(decoded[sha], path, root) for sha, paths in by_hash.items() for path in paths]
    return {item.rel: item for item in sorted(out, key=lambda item: item.rel)}


def _by_hash(files: list[Path]) -> dict[str, list[Path]]:
    by_hash: dict[str, list[Path]] = {}
    for path in files:
        by_hash.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), []).append(path)
    return by_hash


def _decoded(by_hash: dict[str, list[Path]], root: Path, cache: CorpusCache | None, workers: int | None) -> dict[str, CorpusFile]:
    """sha256 -> outcome: from ``cache`` where it has the entry, else decoded (and cached)."""
    decoded: dict[str, CorpusFile] = {}
    missing: list[tuple[str, Path]] = []
    for sha, paths in by_hash.items():
        hit = cache.load(sha) if cache is not None else None
        if hit is None:
            missing.append((sha, paths[0]))
        else:
            decoded[sha] = hit
    missing.sort(key=lambda m: -m[1].stat().st_size)  # the largest first: the pool finishes evenly
    if missing:
        todo = [path for _, path in missing]
        n = min(os.cpu_count() or 2, len(todo)) if workers is None else workers
        if n <= 0:
            fresh = [_decode(path, root) for path in todo]
        else:
            # spawn, not fork: polars' thread pool does not survive a fork.
            with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn")) as pool:
                fresh = list(pool.map(_decode, todo, [root] * len(todo), chunksize=1))
        for (sha, _), item in zip(missing, fresh, strict=True):
            decoded[sha] = item
            if cache is not None:
                cache.save(sha, item)
    return decoded
