"""A Prefect server of hamflow's own: a subprocess on 127.0.0.1, stopped with the command.

``hamflow serve`` needs a full server (its scheduler runs the nightly flow). ``hamflow ingest``
needs one only for the length of a run; left to Prefect, its client starts one when the flow
begins, so the command waits for it with nothing else to do, and the command's own process
imports Prefect's whole server stack (FastAPI, SQLAlchemy, the API's models) just to launch
it. Started here, the server comes up on the other core while the command imports the flow,
and the command never imports the server's code.

Only this module decides how a server is started; a server that exits or stays silent while
starting raises :class:`ServerDidNotStart` with the last line it wrote.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from hamflow.lifetime import die_with_parent

#: How often a starting server is asked whether it answers.
POLL_S = 0.1
#: How long a server gets to stop on SIGTERM before it is killed.
STOP_TIMEOUT_S = 20.0


#: A traceback's last line: ``package.module.SomeError: what went wrong``.
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception): ")


def healthy(api_url: str, timeout_s: float = 2.0) -> bool:
    """Does a Prefect server answer at ``api_url`` (``.../api``)?"""
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout_s) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def temporary_server_likely() -> bool:
    """Whether a run here will most likely need a temporary server, judged from the environment
    alone, before Prefect is imported: no ``PREFECT_API_URL`` and the temporary server not
    switched off there.

    Importing Prefect takes seconds of CPU, and so does the server's start; begun first, the
    server starts on the other core meanwhile. Only Prefect's settings (a profile, a .env or
    prefect.toml can also name a server) say for sure: a server started on this guess and not
    needed is stopped (:func:`hamflow_flows.startup.temporary_server`).
    """
    disabled = os.environ.get("PREFECT_SERVER_EPHEMERAL_ENABLED", "").strip().lower() in ("0", "false", "no", "off")
    return not os.environ.get("PREFECT_API_URL") and not disabled


class ServerDidNotStart(Exception):
    """The server exited, or did not answer, while starting; the message says which, in one line."""

    def __init__(self, message: str, *, timed_out: bool) -> None:
        super().__init__(message)
        self.timed_out = timed_out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _command(port: int, scheduling: bool) -> tuple[list[str], dict[str, str]]:
    """The command line and environment overrides of a server on ``port``.

    With ``scheduling``, ``prefect server start``: every service, the scheduler among them.
    Without, the app Prefect itself runs as its temporary server (uvicorn, the services a run
    needs, no scheduler): about 3 CPU-seconds less to start on a fresh Prefect home.
    """
    host = ["--host", "127.0.0.1", "--port", str(port)]
    # Its output goes to a file, read back when it fails to start: errors are kept whatever
    # level this command's own console shows.
    env = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false",
           "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "ERROR"}
    if scheduling:
        return [sys.executable, "-m", "prefect", "server", "start", *host], env
    env |= {"PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    return [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app", *host,
            "--log-level", "error", "--lifespan", "on"], env


class ServerProcess:
    """A started server: its API URL, waited for with :meth:`wait_until_healthy`, ended with :meth:`stop`."""

    def __init__(self, *, scheduling: bool, port: int | None = None, log_path: Path | None = None) -> None:
        self.port = port or free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.name = "Prefect's server" if scheduling else "Prefect's temporary server"
        self.log: IO[bytes] = open(log_path, "ab") if log_path else tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop
        args, overrides = _command(self.port, scheduling)
        env = dict(os.environ, **overrides)
        env.pop("PREFECT_API_URL", None)
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
                                        env=env, start_new_session=True, preexec_fn=die_with_parent)

    def wait_until_healthy(self, timeout_s: float) -> None:
        """Return once the server answers; raise :class:`ServerDidNotStart` if it exits first or
        ``timeout_s`` runs out."""
        deadline = time.monotonic() + timeout_s
        while not healthy(self.api_url, timeout_s=max(POLL_S, min(2.0, deadline - time.monotonic()))):
            if self.process.poll() is not None:
                raise ServerDidNotStart(f"{self.name} exited with code {self.process.returncode} while starting"
                                        f"{self._last_words()}", timed_out=False)
            if time.monotonic() >= deadline:
                raise ServerDidNotStart(f"{self.name} did not answer on {self.api_url} within {timeout_s:g} s", timed_out=True)
            time.sleep(POLL_S)

    def _last_words(self) -> str:
        """The exception the server died of (a traceback's last line), else its last line."""
        self.log.flush()
        self.log.seek(0)
        lines = [line.strip() for line in self.log.read().decode(errors="replace").splitlines() if line.strip()]
        errors = [line for line in lines if _EXCEPTION_LINE.match(line)]
        said = errors or lines
        return f" ({said[-1]})" if said else ""

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not stopped within :data:`STOP_TIMEOUT_S`; always reaped."""
        try:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        finally:
            self.log.close()


@contextmanager
def local_prefect_server(*, scheduling: bool, start_timeout_s: float, log_path: Path | None = None) -> Iterator[str]:
    """Start a server, yield its API URL once it answers, stop it on exit (errors and Ctrl-C too)."""
    server = ServerProcess(scheduling=scheduling, log_path=log_path)
    try:
        server.wait_until_healthy(start_timeout_s)
        yield server.api_url
    finally:
        server.stop()
