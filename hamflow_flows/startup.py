"""What Prefect needs before a flow can run, checked first, and its start-up failures in words.

Prefect fails late and loudly: a home folder it cannot create made its temporary server die
inside a subprocess while the client waited out its whole start-up timeout, then printed a
traceback that never named the folder. The checks here take milliseconds and name the cause.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_HOME,
    PREFECT_SERVER_EPHEMERAL_ENABLED,
    PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
    temporary_settings,
)

from .server import ServerProcess, healthy

#: How long Prefect's log and event workers get to send what they hold before the server stops.
DRAIN_TIMEOUT_S = 10.0

#: Every message ends with the way round Prefect.
_LOCAL = "or run with --engine local (no Prefect)"


class PrefectUnavailable(Exception):
    """Prefect cannot run a flow here; the message says why and what to do, in one line."""


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


def server_failure(reason: str, timed_out: bool) -> str:
    """One line for a temporary server that did not start: ``reason`` and the ways round it (more
    time only where it ran out)."""
    more_time = "on a busy machine raise PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, " if timed_out else ""
    return (f"{reason}: {more_time}keep a server running (hamflow serve, or prefect server start with "
            f"PREFECT_API_URL set), {_LOCAL}")


def needs_temporary_server() -> bool:
    """Whether a flow here would start a temporary server: no server is configured and Prefect may start one."""
    return not PREFECT_API_URL.value() and bool(PREFECT_SERVER_EPHEMERAL_ENABLED.value())


@contextmanager
def temporary_server(started: ServerProcess | None = None) -> Iterator[Callable[[], AbstractContextManager[None]]]:
    """Start a temporary Prefect server now, when a flow would need one, and stop it on exit.

    ``started``: a temporary server started before Prefect was imported (see
    :func:`~hamflow_flows.server.temporary_server_likely`), used instead of starting one, or
    stopped here when Prefect's settings name a server after all.

    Yields ``ready``: ``with ready():`` waits for the server (up to
    ``PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS``) and points Prefect at it inside the
    block (every thread of this process, and the process-pool workers). Whatever the
    command does between the two (importing the flow and its modules: about as long as the
    server takes) overlaps the server's start. With a server configured, ``ready`` does nothing.
    Call :func:`check_prefect` first: it names a home folder the server could not use.
    """
    if not needs_temporary_server():
        if started is not None:
            started.stop()
        yield contextlib.nullcontext
        return
    from .server import ServerDidNotStart

    server = started or ServerProcess(scheduling=False)

    @contextmanager
    def ready() -> Iterator[None]:
        try:
            server.wait_until_healthy(float(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()))
        except ServerDidNotStart as exc:
            raise PrefectUnavailable(server_failure(str(exc), exc.timed_out)) from exc
        with _api_everywhere(server.api_url):
            yield

    try:
        yield ready
    finally:
        server.stop()


@contextmanager
def _api_everywhere(api_url: str) -> Iterator[None]:
    """Point every thread of this process at ``api_url`` inside the block, and send what Prefect
    still holds for it (logs, events) before the block ends.

    A settings context reaches only this thread: Prefect's log and event workers run in threads
    of their own, and with no server configured there each started a temporary server of its
    own (10 s, 250 MB) to send a log line to. The process-wide default is read from the
    environment; the process pool's workers inherit it too.
    """
    from prefect.context import refresh_global_settings_context
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    before = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = api_url
    refresh_global_settings_context()
    try:
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            yield
            APILogWorker.drain_all(timeout=DRAIN_TIMEOUT_S)
            EventsWorker.drain_all(timeout=DRAIN_TIMEOUT_S)
    finally:
        if before is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = before
        refresh_global_settings_context()
