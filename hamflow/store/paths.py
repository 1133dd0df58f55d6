"""The path index: path, size and mtime of every file seen, with its content hash.

A nightly inbox holds years of files. Reading and hashing each one every night would be the
slowest part of a run that has nothing to do, so a file whose path, size and mtime are unchanged
since it was last seen is known without opening it. Identity is still the hash: a changed file
(new size or mtime) is hashed again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from .frames import registered


@dataclass(frozen=True, slots=True)
class PathEntry:
    path: str
    size_bytes: int
    mtime_ns: int
    file_sha256: str


def _frame(entries: Sequence[PathEntry]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "path": [e.path for e in entries],
            "size_bytes": [e.size_bytes for e in entries],
            "mtime_ns": [e.mtime_ns for e in entries],
            "file_sha256": [e.file_sha256 for e in entries],
        },
        schema={"path": pl.Utf8, "size_bytes": pl.Int64, "mtime_ns": pl.Int64, "file_sha256": pl.Utf8},
    )


def remember_paths(con: duckdb.DuckDBPyConnection, entries: Sequence[PathEntry]) -> None:
    """Record (or refresh) where files were seen. Call inside the caller's transaction."""
    if not entries:
        return
    with registered(con, "_paths", _frame(entries).unique("path", keep="last", maintain_order=True)):
        con.execute("DELETE FROM file_paths WHERE path IN (SELECT path FROM _paths)")
        con.execute("INSERT INTO file_paths BY NAME SELECT * FROM _paths")


#: Quarantine reasons that say nothing about the bytes of that hash (never read: over the size
#: limit; gone or unreadable when the run came to them; rewritten between hashing and reading):
#: such files are looked at again by every run.
RETRIED_REASONS = ("too_large", "unreadable", "changed_during_read")
#: SQL condition on ``fit_files`` (alias ``f``): the file is known for good.
KNOWN_FILE = f"coalesce(f.reason, '') NOT IN ({', '.join(repr(r) for r in RETRIED_REASONS)})"


def load_path_index(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int, str]]:
    """path -> (size, mtime_ns, sha256) for every path whose hash is a known file (files
    quarantined for a :data:`RETRIED_REASONS` reason are not known: the next run retries them)."""
    rows = con.execute(
        "SELECT p.path, p.size_bytes, p.mtime_ns, p.file_sha256 FROM file_paths AS p "
        f"JOIN fit_files AS f USING (file_sha256) WHERE {KNOWN_FILE}"
    ).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}
