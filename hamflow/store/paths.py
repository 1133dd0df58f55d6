"""The path index: path, size and mtime of every file seen, with its content hash.

A nightly inbox holds years of files. Reading and hashing each one every night would be the
slowest part of a run that has nothing to do, so a file whose path, size and mtime are unchanged
since it was last seen is known without opening it. Identity is still the hash: a changed file
(new size or mtime) is hashed again.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from .frames import registered
from .insert import insert_frame
from .path_entry import PathEntry
from .sqlfiles import execute_sql


def _frame(entries: Sequence[PathEntry]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "path": [e.path for e in entries],
            "size_bytes": [e.size_bytes for e in entries],
            "mtime_ns": [e.mtime_ns for e in entries],
            "file_sha256": [e.file_sha256 for e in entries],
            "crc32": [e.crc32 for e in entries],
        },
        schema={"path": pl.Utf8, "size_bytes": pl.Int64, "mtime_ns": pl.Int64, "file_sha256": pl.Utf8, "crc32": pl.Int64},
    )


def remember_paths(con: duckdb.DuckDBPyConnection, entries: Sequence[PathEntry]) -> None:
    """Record (or refresh) where files were seen. Call inside the caller's transaction."""
    if not entries:
        return
    rows = _frame(entries).unique("path", keep="last", maintain_order=True)
    with registered(con, "_paths", rows):
        execute_sql(con, "writes/forget_paths.sql")
    insert_frame(con, "file_paths", rows)


def recorded_paths(con: duckdb.DuckDBPyConnection, entries: Sequence[PathEntry]) -> dict[str, str]:
    """file_sha256 -> the path ``fit_files`` records, for the files of ``entries``."""
    if not entries:
        return {}
    with registered(con, "_paths", _frame(entries)):
        return dict(execute_sql(con, "queries/recorded_paths.sql").fetchall())


def follow_moves(con: duckdb.DuckDBPyConnection, moved: Sequence[PathEntry]) -> None:
    """Record the new path of files that were renamed or moved (the caller checked that the old
    path is gone: a second copy of a file is not a move). Call inside the caller's transaction."""
    if not moved:
        return
    with registered(con, "_paths", _frame(moved).unique("file_sha256", keep="first", maintain_order=True)):
        execute_sql(con, "writes/follow_moves.sql")


#: Quarantine reasons that say nothing about the bytes of that hash (never read: over the size
#: limit or an archive limit; gone or unreadable when the run came to them; rewritten between hashing and reading):
#: such files are looked at again by every run. Bound as ``$retried_reasons`` by the queries
#: that tell known files from files to look at again.
RETRIED_REASONS: tuple[str, ...] = ("too_large", "unreadable", "changed_during_read", "archive_limit")


def unknown_by_path(con: duckdb.DuckDBPyConnection, listing: pl.DataFrame) -> set[int]:
    """The row numbers of the files of ``listing`` that the path index does not know.

    ``listing`` has columns ``i`` (the row number), ``path``, ``size_bytes``, ``mtime_ns`` and
    ``crc32`` (an archive member's CRC-32, else null). A path is known when it is indexed with
    the same size and the same CRC-32 (members that have one) or mtime (everything else), and
    its hash is a known file: files quarantined for a :data:`RETRIED_REASONS` reason are
    retried by the next run. One query for the whole listing, which returns only what is new.
    """
    if listing.is_empty():
        return set()
    with registered(con, "_listing", listing):
        rows = execute_sql(con, "queries/unknown_paths.sql", {"retried_reasons": list(RETRIED_REASONS)}).fetchall()
    return {int(r[0]) for r in rows}
