"""The decoder's and the model's CPU on the same files, measured apart, in one process.

A run no longer decodes and classifies a file in one step: the survey decodes and screens each
new file of an athlete with several, and hands both to its prepare (``hamflow.ingest.handoff``),
so the run's own ``decode_s`` and ``classify_s`` say where a file's remaining work went, not what
decoding costs against classifying. Here each file is decoded by the default decoder (the fast
path where it does not decline), then the files classified as a run's prepare classifies a
batch of files (screen, thresholds from each file's own candidates, patterns, loads; efforts,
segments and summaries of the batch's sessions together): CPU seconds of each, summed.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StageCpu:
    files: int
    sessions: int
    decode_cpu_s: float
    classify_cpu_s: float


def decode_and_classify(files: Sequence[Path]) -> StageCpu:
    """:func:`measure` in a fresh process: decoding leaves state behind in the process that does
    it (fitparse keeps the developer fields it has seen in a module global), which would change
    what fitparse alone later reads in the harness's own process."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(measure, list(files)).result()


def measure(files: Sequence[Path]) -> StageCpu:
    """Decode each of ``files``, then classify them a run's batch at a time (``batch_size`` files
    together, as a run's prepare does); a file that fails either step is left out."""
    from hamflow.fit import FitDecodeError, FitResult, decode_fit_bytes
    from hamflow.ingest import IngestOptions
    from hamflow.model import DEFAULT_CONFIG
    from hamflow.model.classify import FileToClassify, classify_files

    batch_size = IngestOptions().batch_size
    decode_s = classify_s = 0.0
    sessions = 0
    decoded: list[FitResult] = []
    for path in files:
        data = path.read_bytes()
        started = time.process_time()
        try:
            decoded.append(decode_fit_bytes(data, path=str(path)))
        except FitDecodeError:
            continue
        finally:
            decode_s += time.process_time() - started
    done = 0
    for at in range(0, len(decoded), batch_size):
        batch = [FileToClassify(result, athlete_id=None) for result in decoded[at:at + batch_size]]
        started = time.process_time()
        classified = classify_files(batch, DEFAULT_CONFIG)
        classify_s += time.process_time() - started
        for sessions_of in classified:
            if not isinstance(sessions_of, Exception):
                done += 1
                sessions += len(sessions_of)
    return StageCpu(done, sessions, decode_s, classify_s)
