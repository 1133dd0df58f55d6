"""What must hold for every input the decoder is given, run inside a pool worker.

The input goes through :func:`hamflow.fit.read_fit` on a real file, the entry point the ingest
uses, so whatever decoder ``read_fit`` picks by default (``HAMFLOW_DECODER`` unset) is the one
under test, native code included: a crash there kills the worker and is reported as "died".
A result of the optional fast decoder must also equal what the fitparse reference gives for the
same bytes (the fast path promises to be taken only when it does).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import polars as pl

from hamflow.fit import REASONS, RECORD_SCHEMA, FitDecodeError, FitResult, read_fit

#: Peak resident memory a worker may reach while decoding one small input.
MAX_RSS_KB = 1024 * 1024

_STATUSES = {"ok", "truncated", "crc_mismatch"}
#: Failures the decoder must not hide behind a reason code.
_HIDDEN = ("MemoryError", "RecursionError", "SystemError")


def _result_problems(data: bytes, r: FitResult) -> list[str]:
    problems = []
    if r.status not in _STATUSES:
        problems.append(f"status {r.status!r}")
    if r.identity.sha256 != hashlib.sha256(data).hexdigest() or r.identity.size_bytes != len(data):
        problems.append("identity does not describe the input")
    total = 0
    for i, s in enumerate(r.sessions):
        frame = s.records
        if not isinstance(frame, pl.DataFrame):
            problems.append(f"session {i}: records are {type(frame).__name__}")
            continue
        for column, dtype in RECORD_SCHEMA.items():
            if column not in frame.columns:
                problems.append(f"session {i}: no column {column}")
            elif frame.schema[column] != dtype:
                problems.append(f"session {i}: {column} is {frame.schema[column]}, not {dtype}")
        if "ts_utc" in frame.columns and frame.get_column("ts_utc").null_count():
            problems.append(f"session {i}: records without a timestamp")
        extra = set(frame.columns) - set(RECORD_SCHEMA)
        if extra:  # positions are dropped unless asked for (privacy), nothing else is added
            problems.append(f"session {i}: unexpected columns {sorted(extra)}")
        if "ts_utc" in frame.columns and not frame.get_column("ts_utc").is_sorted():
            problems.append(f"session {i}: records not sorted by ts_utc")
        if s.index != i:
            problems.append(f"session {i} has index {s.index}")
        total += frame.height
    if total > r.record_count:
        problems.append(f"{total} session records from {r.record_count} record messages")
    if any(not isinstance(w, str) or "\n" in w for w in r.warnings):
        problems.append("a warning is not one line of text")
    if r.utc_offset_min is not None and abs(r.utc_offset_min) > 14 * 60:
        problems.append(f"utc offset {r.utc_offset_min} min")
    return problems


_RESULT_FIELDS = ("status", "identity", "events", "sets", "utc_offset_min", "record_count", "fields_present",
                  "warnings", "chained_blocks")
_SESSION_FIELDS = ("index", "sport", "sub_sport", "start_utc", "elapsed_s", "timer_s", "distance_m", "sources", "synthetic")


def _differs_from_reference(fast: FitResult, reference: FitResult) -> list[str]:
    """How a result of the optional fast decoder differs from fitparse's on the same bytes: it
    must not (the fast path is only taken when it gives the reference's result exactly)."""
    out = [f"{fast.decoder} and fitparse differ in {name}" for name in _RESULT_FIELDS
           if getattr(fast, name) != getattr(reference, name)]
    if len(fast.sessions) != len(reference.sessions):
        return [*out, f"{fast.decoder} has {len(fast.sessions)} sessions, fitparse {len(reference.sessions)}"]
    for i, (a, b) in enumerate(zip(fast.sessions, reference.sessions, strict=False)):
        out += [f"session {i}: {fast.decoder} and fitparse differ in {name}" for name in _SESSION_FIELDS
                if getattr(a, name) != getattr(b, name)]
        if not a.records.equals(b.records, null_equal=True):
            out.append(f"session {i}: {fast.decoder} and fitparse records differ")
    return out


def _as_file(data: bytes, scratch: str | None) -> Path:
    """``data`` written to this worker's own file in ``scratch`` (a worker decodes one input at
    a time, so one file per process is enough)."""
    folder = Path(scratch) if scratch else Path(tempfile.gettempdir())
    path = folder / f"hamflow-fuzz-{os.getpid()}.fit"
    path.write_bytes(data)
    return path


def check_decode(data: bytes, scratch: str | None = None) -> tuple[str, str]:
    """("ok", "<status> <decoder>") for a result, ("error", reason) for a FitDecodeError, ("fail",
    why) for a result or error that breaks the decoder's contract. Any other exception escapes.

    Pass ``scratch`` (a folder) with :func:`functools.partial` to keep the files out of /tmp."""
    try:
        result = read_fit(_as_file(data, scratch))
    except FitDecodeError as exc:
        if exc.reason not in REASONS:
            return "fail", f"unknown reason {exc.reason!r}"
        if not exc.detail or "\n" in exc.detail:
            return "fail", f"detail is not one line: {exc.detail!r}"
        if any(name in exc.detail for name in _HIDDEN):
            return "fail", f"{exc.reason}: {exc.detail}"
        return "error", exc.reason
    if not isinstance(result, FitResult):
        return "fail", f"returned {type(result).__name__}"
    problems = _result_problems(data, result)
    decoder = getattr(result, "decoder", "fitparse")
    if not problems and decoder != "fitparse":
        problems = _differs_from_reference(result, read_fit(_as_file(data, scratch), decoder="fitparse"))
    if problems:
        return "fail", "; ".join(problems)
    return "ok", f"{result.status} {getattr(result, 'decoder', 'fitparse')}"
