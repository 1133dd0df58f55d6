"""The decoder's and the model's CPU on the same files, measured apart, in one process.

A run no longer decodes and classifies a file in one step: the survey decodes and screens each
new file of an athlete with several, and hands both to its prepare (``hamflow.ingest.handoff``),
so the run's own ``decode_s`` and ``classify_s`` say where a file's remaining work went, not what
decoding costs against classifying. Here each file is decoded by the default decoder (the fast
path where it does not decline), then every session classified as a run classifies a file
alone (screen, thresholds from its own candidates, patterns, loads, summary): CPU seconds of
each, summed over the files.
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
    """Decode then classify each of ``files``; a file that fails either step is left out."""
    from hamflow.fit import FitDecodeError, decode_fit_bytes
    from hamflow.model import DEFAULT_CONFIG, classify_file

    decode_s = classify_s = 0.0
    done = sessions = 0
    for path in files:
        data = path.read_bytes()
        started = time.process_time()
        try:
            result = decode_fit_bytes(data, path=str(path))
        except FitDecodeError:
            continue
        decoded = time.process_time()
        classified = classify_file(result, athlete_id=None, config=DEFAULT_CONFIG)
        finished = time.process_time()
        decode_s += decoded - started
        classify_s += finished - decoded
        done += 1
        sessions += len(classified)
    return StageCpu(done, sessions, decode_s, classify_s)
