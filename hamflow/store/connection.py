"""Opening the DuckDB file: one writer at a time, readers that wait instead of failing.

DuckDB lets one process hold a database file for writing, and while it does no other process can
open it, not even read-only (the open fails with a lock error). hamflow keeps its own write
window short and makes its own readers and writers retry with backoff until a deadline, so a
nightly run and a dashboard query wait for each other instead of crashing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

from .sqlfiles import execute_sql

#: Files written so that DuckDB 1.4 and 1.5 readers (dashboards, the duckdb CLI) can open them.
STORAGE_COMPATIBILITY = "v1.4.0"
DEFAULT_LOCK_TIMEOUT_S = 60.0


class StoreError(Exception):
    """A database problem a user can act on; the message is one line saying what and where."""


def default_db_path() -> Path:
    """``$HAMFLOW_DB``, else ``./hamflow.duckdb``."""
    return Path(os.environ.get("HAMFLOW_DB", "hamflow.duckdb"))


def lock_timeout_s() -> float:
    try:
        return float(os.environ.get("HAMFLOW_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT_S))
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT_S


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


def _open(path: Path, read_only: bool, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    config: dict[str, str | bool | int | float | list[str]] = {"threads": str(os.cpu_count() or 2)}
    if memory_limit is not None:
        config["memory_limit"] = memory_limit
    if read_only:
        con = duckdb.connect(str(path), read_only=True, config=config)
    else:
        # Attached rather than opened: only ATTACH takes the row group size (see the SQL file).
        config["storage_compatibility_version"] = STORAGE_COMPATIBILITY
        # Spill next to the database, as DuckDB does for a file it opens itself; an in-memory
        # session would spill into ".tmp" under whatever folder the user ran hamflow from.
        config["temp_directory"] = f"{path}.tmp"
        con = duckdb.connect(":memory:", config=config)
        try:
            execute_sql(con, "session/attach_for_writing.sql", {"path": str(path)})
            execute_sql(con, "session/use_attached.sql")
        except BaseException:
            con.close()
            raise
    execute_sql(con, "session/utc.sql")
    return con


def connect(path: str | os.PathLike[str], *, read_only: bool = False, timeout_s: float | None = None,
            memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open ``path``, retrying with backoff while another process holds the lock. ``memory_limit``
    (DuckDB's, e.g. ``"400MB"``) bounds what DuckDB holds before it spills sorts to disk.

    Raises :class:`StoreError` when the lock is still held at the deadline, when the file is not
    a DuckDB database, or when it cannot be created or written.
    """
    path = Path(path)
    if read_only and not path.exists():
        raise StoreError(f"no database at {path} (run `hamflow ingest` first, or pass --db)")
    if not read_only and not path.parent.exists():
        raise StoreError(f"cannot create {path}: folder {path.parent} does not exist")
    deadline = time.monotonic() + (lock_timeout_s() if timeout_s is None else timeout_s)
    delay = 0.05
    while True:
        try:
            return _open(path, read_only, memory_limit)
        except duckdb.Error as exc:
            if _is_lock_error(exc):
                if time.monotonic() + delay > deadline:
                    raise StoreError(
                        f"{path} is locked by another process (an ingest or a dashboard holding a "
                        "connection); try again when it has finished"
                    ) from exc
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
                continue
            text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if "not a valid duckdb" in text.lower() or ("unable to open" in text.lower() and path.exists()):
                raise StoreError(f"{path} is not a DuckDB database") from exc
            if "permission" in text.lower() or "read-only" in text.lower() or "readonly" in text.lower():
                raise StoreError(f"cannot write {path}: {text}") from exc
            raise StoreError(f"cannot open {path}: {text}") from exc


#: DuckDB errors that mean the storage refused a write (read-only, full, gone), not a bug.
_STORAGE_ERRORS = (duckdb.IOException, duckdb.PermissionException, duckdb.TransactionException, duckdb.FatalException)


@contextmanager
def connection(
    path: str | os.PathLike[str], *, read_only: bool = False, timeout_s: float | None = None, memory_limit: str | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """:func:`connect` as a context manager that always closes, releasing the file lock.

    On a write connection, a write the storage refuses (a read-only folder where DuckDB must
    create its write-ahead log, a full disk) raises :class:`StoreError`; the transaction it was
    in is lost whole, as after a crash.
    """
    con = connect(path, read_only=read_only, timeout_s=timeout_s, memory_limit=memory_limit)
    try:
        yield con
    except _STORAGE_ERRORS as exc:
        if read_only:
            raise
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StoreError(f"cannot write {path}: {text}") from exc
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One explicit transaction: committed when the block ends, rolled back when it raises.

    A COMMIT the storage refuses has already ended the transaction, so the ROLLBACK after it
    fails too; that second error is dropped so the first one, which says why, reaches the user.
    The DB-API calls run DuckDB's own BEGIN TRANSACTION, COMMIT and ROLLBACK.
    """
    con.begin()
    try:
        yield con
        con.commit()
    except BaseException:
        with suppress(duckdb.Error):
            con.rollback()
        raise
