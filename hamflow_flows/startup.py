"""What Prefect needs before a flow can run, checked first, and its start-up failures in words.

Prefect fails late and loudly: a home folder it cannot create made its temporary server die
inside a subprocess while the client waited out its whole start-up timeout, then printed a
traceback that never named the folder. The checks here take milliseconds and name the cause.
"""

from __future__ import annotations

import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_HOME,
    PREFECT_SERVER_EPHEMERAL_ENABLED,
    PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
)

#: Every message ends with the way round Prefect.
_LOCAL = "or run with --engine local (no Prefect)"


class PrefectUnavailable(Exception):
    """Prefect cannot run a flow here; the message says why and what to do, in one line."""


def healthy(api_url: str, timeout_s: float = 2.0) -> bool:
    """Does a Prefect server answer at ``api_url`` (``.../api``)?"""
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout_s) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def check_prefect() -> None:
    """Raise :class:`PrefectUnavailable` unless Prefect can start here: its home folder exists
    (created if need be) and is writable, and a configured server (``PREFECT_API_URL``) answers."""
    home = Path(str(PREFECT_HOME.value())).expanduser()
    try:
        home.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=home):
            pass
    except OSError as exc:
        raise PrefectUnavailable(
            f"Prefect cannot use its home folder {home} ({exc.strerror or exc}): set PREFECT_HOME to a writable folder, {_LOCAL}"
        ) from exc
    url = PREFECT_API_URL.value()
    if url and not healthy(str(url)):
        raise PrefectUnavailable(
            f"no Prefect server answers at PREFECT_API_URL={url}: start it (prefect server start), "
            f"unset PREFECT_API_URL to let Prefect start a temporary one, {_LOCAL}"
        )


def startup_failure(exc: BaseException) -> str | None:
    """One line for an exception that means Prefect did not start (None for anything else)."""
    text = str(exc)
    if isinstance(exc, RuntimeError) and "ephemeral Prefect API server" in text:
        timeout = PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()
        return (f"Prefect's temporary server did not start within {timeout} s: on a busy machine raise "
                f"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, keep a server running (hamflow serve, or "
                f"prefect server start with PREFECT_API_URL set), {_LOCAL}")
    return None


@contextmanager
def temporary_server_started_early() -> Iterator[None]:
    """Start Prefect's temporary server in the background while the block runs, when no server
    is configured (``PREFECT_API_URL``); wait for it at the end of the block.

    A flow otherwise starts it only when it begins, and waits seconds for it with nothing else
    to do; the block (importing the flow, its task runner and their modules) takes about as
    long. Call :func:`check_prefect` first: a server that cannot start is only noticed when its
    start-up timeout runs out. A start that fails here is left to the flow, which starts the
    server again and reports what failed.
    """
    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        yield
        return
    # Imported in this thread, which the flow's client would do anyway: two threads importing
    # the same modules at once can deadlock, so the other thread only waits on the server.
    from prefect.server.api.server import SubprocessASGIServer

    def start() -> None:
        try:
            SubprocessASGIServer().start()  # the instance Prefect's client uses when none is configured
        except Exception:  # the flow starts it again and says what failed
            return

    thread = threading.Thread(target=start, name="prefect-temporary-server", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()
