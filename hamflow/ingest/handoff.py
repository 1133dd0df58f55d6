"""What the survey of a file hands to its prepare: the file decoded and its sessions screened.

The survey decodes a new file and screens its sessions (:func:`~hamflow.model.classify.screen_file`)
to learn its threshold candidates; prepare, later and possibly in another process, would do
both again before classifying. Neither depends on the athlete's profile, so the survey leaves
them in a file of the run's own temporary directory, named by the file's sha256, and prepare
starts from it. A handoff is only a shortcut: prepare takes it when it is there and sound, and
decodes and screens the file itself otherwise (a worker on another machine, a run that
crashed), with the same result.

Each handoff is a pickle of frozen dataclasses whose frames are written as zstd-compressed
Arrow IPC (about an eighth of a plain pickle's size, for a fraction of a decode's time). It
is written under a temporary name and renamed, so a reader never sees part of one, and it is
deleted when read: the directory holds at most the run's surveyed files, never a copy in
memory. The directory is created by the run (readable by its user alone) and removed when
the run ends, whether or not it succeeded (or, if the run was killed, by the next run).
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ..fit import FitResult
from ..fit.reader import DecoderUnavailable, resolve_decoder
from ..model.classify import ScreenedSession

__all__ = ["Handoff", "handoff_directory", "hands_off", "take_handoff", "write_handoff"]


@dataclass(frozen=True, slots=True)
class Handoff:
    """One surveyed file: decoded as prepare would decode it, and each session screened."""

    result: FitResult
    screened: tuple[ScreenedSession, ...]


_PREFIX = "hamflow-handoff-"


@contextlib.contextmanager
def handoff_directory() -> Iterator[str]:
    """A run's handoff directory, removed with whatever is left in it when the block ends.

    Its name holds the run's process id: a run killed before it could remove its directory
    leaves it behind, and the next run on the machine removes it once that process is gone."""
    _remove_abandoned(Path(tempfile.gettempdir()))
    path = tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _remove_abandoned(root: Path) -> None:
    for directory in root.glob(f"{_PREFIX}*-*"):
        pid = directory.name.removeprefix(_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(directory, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive, and its directory not ours to remove
        return True
    return True


def hands_off() -> bool:
    """Whether a survey's decoding is what prepare would store: only when prepare decodes with
    the fast decoder first (``auto``, ``fitfast``), whose result the survey's is. With the
    reference decoder the stored rows, and the decoder recorded with them, must be its own."""
    try:
        return resolve_decoder() == "fitfast"
    except (ValueError, DecoderUnavailable):
        return False


def _path(directory: str, sha256: str) -> Path:
    return Path(directory) / f"{sha256}.handoff"


def write_handoff(directory: str, sha256: str, handoff: Handoff) -> None:
    """Leave ``handoff`` for the prepare of the file ``sha256``; a failure to write is no error
    (prepare then does the work itself)."""
    final = _path(directory, sha256)
    partial = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    try:
        with partial.open("wb") as out:
            _FramePickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(handoff)
        os.replace(partial, final)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()


def take_handoff(directory: str, sha256: str) -> Handoff | None:
    """The handoff left for the file ``sha256``, deleted as it is read; None when there is none
    or it cannot be read whole (prepare then decodes the file itself)."""
    path = _path(directory, sha256)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    with contextlib.suppress(OSError):
        path.unlink()
    try:
        handoff = pickle.loads(data)
    except Exception:  # any damage to the bytes: whatever unpickling raises, the file is decoded again
        return None
    if not isinstance(handoff, Handoff) or handoff.result.identity.sha256 != sha256:
        return None
    if len(handoff.screened) != len(handoff.result.sessions):
        return None
    return handoff


def _frame(ipc: bytes, sorted_columns: Sequence[tuple[str, bool]]) -> pl.DataFrame:
    """A frame back from its IPC stream, with the sortedness Arrow does not keep marked again
    (so every later step takes the same path through polars as with the original)."""
    frame = pl.read_ipc_stream(io.BytesIO(ipc))
    for name, descending in sorted_columns:
        at = frame.get_column_index(name)
        frame.replace_column(at, frame.to_series(at).set_sorted(descending=descending))
    return frame


class _FramePickler(pickle.Pickler):
    """Pickles frames as zstd-compressed Arrow IPC streams: float channels compress about
    eightfold, and a stream (unlike an IPC file, read through a query) reads back in about a
    third of the time the file takes to decode."""

    def reducer_override(self, obj: Any) -> Any:
        if not isinstance(obj, pl.DataFrame) or obj.width == 0:
            return NotImplemented
        buffer = io.BytesIO()
        obj.write_ipc_stream(buffer, compression="zstd")
        flagged = [(s.name, s.flags["SORTED_DESC"]) for s in obj.iter_columns()
                   if s.flags["SORTED_ASC"] or s.flags["SORTED_DESC"]]
        return _frame, (buffer.getvalue(), flagged)
