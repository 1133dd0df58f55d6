"""One entry of the path index (:mod:`hamflow.store.paths`): where a file was seen, its size and
mtime then, and its content hash.

Its own module, free of DuckDB: the files a worker prepares carry their entries, and a worker
never opens the database.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PathEntry:
    path: str
    size_bytes: int
    mtime_ns: int
    file_sha256: str
    #: An archive member's CRC-32 from its archive's directory (sql/007_archives.sql); None on disk.
    crc32: int | None = None
