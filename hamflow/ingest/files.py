"""From the paths a user gives to the files a run must process.

Three cheap steps, none of which decodes anything:

1. *discover*: every FIT file under the paths, with the athlete its folder names (an inbox has
   one folder per athlete) and its size and mtime;
2. *settle*: files still being written by a sync client (size or mtime changed over a short
   interval) are deferred to the next run;
3. *identify*: files whose path, size and mtime are in the path index are known without being
   read; the rest are hashed, and hashes already in ``fit_files`` are known too.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path


def is_fit_name(path: Path) -> bool:
    """FIT files are named ``*.fit`` in any case (devices write ``.FIT``)."""
    return path.suffix.lower() == ".fit"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A FIT file found in the inbox. ``folder_athlete`` is the inbox sub-folder it sits in."""

    path: str
    size_bytes: int
    mtime_ns: int
    folder_athlete: str | None
    sha256: str | None = None
    error: str | None = None  # could not be read (reported and quarantined)


class InboxError(Exception):
    """The run cannot do its job: a path is missing or is not a folder or FIT file."""


def _stat(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def discover(paths: Iterable[str | os.PathLike[str]], *, max_depth: int = 8) -> list[Candidate]:
    """Every FIT file under ``paths``, sorted by path.

    A directory is an inbox: a file at ``inbox/<athlete>/...`` belongs to ``<athlete>``. Symbolic
    links that lead outside the inbox are not followed (a shared folder must not expose the rest
    of the disk). Raises :class:`InboxError` for a path that does not exist.
    """
    found: dict[str, Candidate] = {}
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            raise InboxError(f"no such file or directory: {root}")
        if root.is_file():
            size, mtime = _stat(root)
            found[str(root)] = Candidate(str(root), size, mtime, None)
            continue
        if not root.is_dir():
            raise InboxError(f"not a file or folder: {root}")
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            here = Path(dirpath)
            depth = len(here.relative_to(root).parts)
            dirnames[:] = sorted(d for d in dirnames if depth < max_depth and not d.startswith("."))
            for name in sorted(filenames):
                path = here / name
                if not is_fit_name(path) or not path.is_file():
                    continue
                if path.is_symlink() and not _inside(path, root):
                    continue
                rel = path.relative_to(root).parts
                athlete = rel[0] if len(rel) > 1 else None
                try:
                    size, mtime = _stat(path)
                except OSError as exc:
                    found[str(path)] = Candidate(str(path), 0, 0, athlete, error=str(exc))
                    continue
                found[str(path)] = Candidate(str(path), size, mtime, athlete)
    return [found[k] for k in sorted(found)]


def fit_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The paths of :func:`discover`, for commands that read files without a database."""
    return [Path(c.path) for c in discover(paths)]


def split_unsettled(candidates: Sequence[Candidate], settle_s: float) -> tuple[list[Candidate], list[Candidate]]:
    """(settled, deferred): a file whose size or mtime changes within ``settle_s`` is deferred.

    One wait for all files, not one per file. ``settle_s <= 0`` skips the check.
    """
    if settle_s <= 0 or not candidates:
        return list(candidates), []
    time.sleep(settle_s)
    settled: list[Candidate] = []
    deferred: list[Candidate] = []
    for c in candidates:
        try:
            size, mtime = _stat(Path(c.path))
        except OSError:
            deferred.append(c)  # vanished or unreadable mid-run: look again next time
            continue
        (settled if (size, mtime) == (c.size_bytes, c.mtime_ns) else deferred).append(c)
    return settled, deferred


def sha256_of(path: str, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def split_known_by_path(
    candidates: Sequence[Candidate], index: Mapping[str, tuple[int, int, str]]
) -> tuple[list[Candidate], list[Candidate]]:
    """(unknown, known): known when path, size and mtime match the index."""
    unknown, known = [], []
    for c in candidates:
        entry = index.get(c.path)
        if entry is not None and entry[0] == c.size_bytes and entry[1] == c.mtime_ns:
            known.append(replace(c, sha256=entry[2]))
        else:
            unknown.append(c)
    return unknown, known


def with_hashes(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Hash each candidate; an unreadable file keeps ``sha256=None`` and gets ``error``."""
    out = []
    for c in candidates:
        if c.error:
            out.append(c)
            continue
        try:
            out.append(replace(c, sha256=sha256_of(c.path)))
        except OSError as exc:
            out.append(replace(c, error=exc.strerror or str(exc)))
    return out
