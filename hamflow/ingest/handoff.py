"""What the survey of a file hands to its prepare: the file decoded and its sessions screened.

The survey decodes a new file and screens its sessions (:func:`~hamflow.model.classify.screen_file`)
to learn its threshold candidates; prepare, later and possibly in another process, would do
both again before classifying. Neither depends on the athlete's profile, so the survey leaves
them in a file of the run's own temporary directory, named by the file's sha256, and prepare
starts from it. A handoff is only a shortcut: prepare takes it when it is there and sound, and
decodes and screens the file itself otherwise (a worker on another machine, a run that
crashed), with the same result.

Each handoff is a pickle of frozen dataclasses whose frames are replaced by the list of their
columns; the distinct columns of all of them are written once, as lz4-compressed Arrow IPC
(a file's raw records, each session's grid, the screened grid and the model's view share most
columns). It is written under a temporary name and renamed, so a reader never sees part of one, and it is
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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl
from polars.datatypes import DataTypeClass

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


#: How a handoff's columns are compressed. lz4 writes and reads the athlete-year's distinct
#: columns in less CPU than zstd for a little more disk, and a fraction of uncompressed's disk
#: (figures in docs/model.md, *Order independence*).
Codec = Literal["uncompressed", "lz4", "zstd"]
CODEC: Codec = "lz4"

#: Names the layout below: a handoff in any other is not read.
FORMAT = "hamflow-handoff/2"


@dataclass(frozen=True, slots=True)
class FrameColumn:
    """One column of one frame: its name, where its values are (``group``, and its place ``at``
    in it) and the sortedness Arrow does not keep (None: not marked sorted, else whether
    descending), marked again so that every later step takes the same path through polars."""

    name: str
    group: int
    at: int
    sorted_descending: bool | None


@dataclass(frozen=True, slots=True)
class Packed:
    """A handoff as written: its dataclasses pickled with each frame replaced by its number in
    ``frames``, and the distinct columns of all the frames in ``groups``, one Arrow IPC stream
    per column length."""

    format: str
    body: bytes
    frames: tuple[tuple[FrameColumn, ...], ...]
    groups: tuple[bytes, ...]


def write_handoff(directory: str, sha256: str, handoff: Handoff) -> None:
    """Leave ``handoff`` for the prepare of the file ``sha256``; a failure to write is no error
    (prepare then does the work itself)."""
    final = _path(directory, sha256)
    partial = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    try:
        with partial.open("wb") as out:
            pickle.dump(_packed(handoff), out, protocol=pickle.HIGHEST_PROTOCOL)
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
        handoff = _unpacked(pickle.loads(data))
    except Exception:  # any damage to the bytes: whatever reading raises, the file is decoded again
        return None
    if not isinstance(handoff, Handoff) or handoff.result.identity.sha256 != sha256:
        return None
    if len(handoff.screened) != len(handoff.result.sessions):
        return None
    return handoff


def _packed(handoff: Handoff) -> Packed:
    columns = _Columns()
    body = io.BytesIO()
    _Packer(body, columns).dump(handoff)
    groups = []
    for group in columns.groups:
        buffer = io.BytesIO()
        pl.DataFrame([s.alias(str(i)) for i, s in enumerate(group)]).write_ipc_stream(buffer, compression=CODEC)
        groups.append(buffer.getvalue())
    return Packed(FORMAT, body.getvalue(), tuple(columns.frames), tuple(groups))


def _unpacked(packed: object) -> object:
    if not isinstance(packed, Packed) or packed.format != FORMAT:
        raise ValueError("not a handoff of this layout")
    groups = [pl.read_ipc_stream(io.BytesIO(ipc)) for ipc in packed.groups]
    return _Unpacker(io.BytesIO(packed.body), [_frame(groups, columns) for columns in packed.frames]).load()


def _frame(groups: list[pl.DataFrame], columns: tuple[FrameColumn, ...]) -> pl.DataFrame:
    series = []
    for c in columns:
        s = groups[c.group].get_column(str(c.at)).alias(c.name)  # by name: a column cut is missed, not shifted
        series.append(s if c.sorted_descending is None else s.set_sorted(descending=c.sorted_descending))
    return pl.DataFrame(series)


class _Columns:
    """The distinct columns of a handoff's frames, gathered by length: a column identical to
    one already gathered under the same name (:func:`_identical`) is not gathered again."""

    def __init__(self) -> None:
        self.groups: list[list[pl.Series]] = []
        self.frames: list[tuple[FrameColumn, ...]] = []
        self._by_height: dict[int, int] = {}
        self._by_name: dict[tuple[int, str], list[int]] = {}
        self._numbered: dict[int, int] = {}  # by id: a frame held twice is read back as one

    def add(self, frame: pl.DataFrame) -> int:
        """The frame's number, once its columns are gathered."""
        if id(frame) in self._numbered:
            return self._numbered[id(frame)]
        number = self._by_height.setdefault(frame.height, len(self.groups))
        if number == len(self.groups):
            self.groups.append([])
        group = self.groups[number]
        columns = []
        for series in frame.get_columns():
            name = series.name
            named = self._by_name.setdefault((number, name), [])
            at = next((i for i in named if _identical(group[i], series)), None)
            if at is None:
                at = len(group)
                named.append(at)
                group.append(series)
            flags = series.flags
            descending = True if flags["SORTED_DESC"] else False if flags["SORTED_ASC"] else None
            columns.append(FrameColumn(name, number, at, descending))
        self.frames.append(tuple(columns))
        self._numbered[id(frame)] = len(self.frames) - 1
        return len(self.frames) - 1


def _identical(a: pl.Series, b: pl.Series) -> bool:
    """The same values bit for bit and the same nulls. Floats are compared by their bits, since
    ``equals`` holds 0.0 and -0.0 alike; nested floats are never shared."""
    if a.len() != b.len() or a.dtype != b.dtype:
        return False
    nulls = a.null_count()
    if nulls != b.null_count():
        return False
    if nulls == a.len():
        return True
    if a.dtype.is_float():
        if nulls and not a.equals(b, null_equal=True):  # the nulls in different places
            return False
        x, y = a.to_numpy(), b.to_numpy()  # without nulls as they are; with, each null a NaN in both
        return bool(np.array_equal(x.view(f"u{x.itemsize}"), y.view(f"u{y.itemsize}")))
    return _compares_exactly(a.dtype) and a.equals(b, check_dtypes=True, null_equal=True)


def _compares_exactly(dtype: pl.DataType | DataTypeClass) -> bool:
    if dtype.is_float() or (isinstance(dtype, type) and dtype.is_nested()):
        return False
    if isinstance(dtype, (pl.List, pl.Array)):
        return _compares_exactly(dtype.inner)
    if isinstance(dtype, pl.Struct):
        return all(_compares_exactly(f.dtype) for f in dtype.fields)
    return True


class _Packer(pickle.Pickler):
    """Pickles a handoff with each frame (with columns) left out, as its number among the
    frames whose columns ``columns`` gathered."""

    def __init__(self, file: io.BytesIO, columns: _Columns) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.columns = columns

    def persistent_id(self, obj: Any) -> int | None:
        return self.columns.add(obj) if isinstance(obj, pl.DataFrame) and obj.width else None


class _Unpacker(pickle.Unpickler):
    """Unpickles a handoff's dataclasses, each frame number replaced by its frame."""

    def __init__(self, file: io.BytesIO, frames: list[pl.DataFrame]) -> None:
        super().__init__(file)
        self.frames = frames

    def persistent_load(self, pid: Any) -> pl.DataFrame:
        if not isinstance(pid, int) or not 0 <= pid < len(self.frames):
            raise pickle.UnpicklingError("a frame the handoff does not hold")
        return self.frames[pid]
