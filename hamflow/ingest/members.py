"""Decoding the files a user names, on disk or inside archives, without a database.

For ``inspect`` and ``explain``: a candidate of :func:`~.files.discover_inbox` (a FIT file, an
archive member, or a damaged archive), or one archive member named as ``archive!member``.
"""

from __future__ import annotations

from pathlib import Path

from ..fit import FitDecodeError, FitResult, decode_fit_bytes, read_fit
from ..model.config import ArchiveLimits
from .archives import SEP, ArchiveError, ArchiveReader
from .files import Candidate, InboxError, discover
from .prepare import DEFAULT_MAX_FILE_BYTES

Outcome = FitResult | FitDecodeError | ArchiveError


def decode_candidate(c: Candidate, reader: ArchiveReader, *, keep_positions: bool = False,
                     max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Outcome:
    """What the candidate holds, or why it cannot be read (never raises for a bad file)."""
    if c.problem is not None:
        return ArchiveError(c.problem.reason, c.problem.detail)
    try:
        if c.member is None:
            return read_fit(c.path, keep_positions=keep_positions)
        data = reader.read(c.member, max_file_bytes)
        if data is None:
            return ArchiveError("too_large", f"{c.path}: over {max_file_bytes} bytes uncompressed")
        return decode_fit_bytes(data, path=c.path, keep_positions=keep_positions)
    except (FitDecodeError, ArchiveError) as exc:
        return exc


def resolve_file(name: str, limits: ArchiveLimits) -> Candidate:
    """The candidate for ``name``: a file on disk, or ``archive!member`` (as ``inspect`` and the
    ``fit_files.path`` column show it). Raises :class:`InboxError` when there is no such file."""
    if Path(name).is_file():
        return Candidate(name, 0, 0, None)
    archive = name.split(SEP, 1)[0]
    if SEP in name and Path(archive).is_file():
        for c in discover([archive], limits=limits):
            if c.path == name:
                return c
        raise InboxError(f"no FIT member {name.split(SEP, 1)[1]!r} in {archive} (hamflow inspect {archive} lists them)")
    raise InboxError(f"no such file: {name}")
