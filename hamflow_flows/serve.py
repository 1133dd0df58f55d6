"""Serving the nightly ingest on a schedule.

A schedule needs a Prefect server: on Prefect's temporary (ephemeral) server ``flow.serve`` only
warns that it cannot schedule and never runs anything. So :func:`serve_nightly` uses the server
named by ``PREFECT_API_URL`` when one is configured, and otherwise starts, supervises and, on
Ctrl-C or SIGTERM, stops a local ``prefect server start`` bound to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from prefect.schedules import Cron
from prefect.settings import PREFECT_API_URL

from .startup import healthy


class ServeError(Exception):
    pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])



@contextlib.contextmanager
def local_prefect_server(port: int | None = None, *, start_timeout_s: float = 90.0, log_path: Path | None = None) -> Iterator[str]:
    """Start ``prefect server start`` on 127.0.0.1, yield its API URL, stop it on exit."""
    port = port or _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed below
    env = dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_UI_ENABLED="false")
    env.pop("PREFECT_API_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + start_timeout_s
        while not healthy(api_url):
            if process.poll() is not None:
                raise ServeError(f"prefect server exited with code {process.returncode} while starting")
            if time.monotonic() > deadline:
                raise ServeError(f"prefect server did not answer on {api_url} within {start_timeout_s:.0f} s")
            time.sleep(0.5)
        yield api_url
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if not isinstance(log, int):
            log.close()


def configured_api_url() -> str | None:
    url = PREFECT_API_URL.value()
    return str(url) if url else None


def serve_nightly(*, inbox: str, db: str, cron: str = "0 3 * * *", timezone: str | None = None,
                  config_path: str | None = None, settle_s: float = 5.0, name: str = "nightly",
                  server_log: Path | None = None) -> None:
    """Serve the ingest flow on ``cron`` (in ``timezone``) until Ctrl-C or SIGTERM."""
    from .flows import RUN_LINES_ENV, ingest_flow  # imported after PREFECT_API_URL is set

    inbox_path = Path(inbox).resolve()
    if not inbox_path.is_dir():
        raise ServeError(f"inbox {inbox_path} is not a folder")
    parameters = {"paths": [str(inbox_path)], "db": str(Path(db).resolve()), "config_path": config_path, "settle_s": settle_s}

    def _stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    os.environ[RUN_LINES_ENV] = "1"  # each flow run (a subprocess) prints its line
    # Stopping serve interrupts Prefect's runner mid-await; the coroutine it leaves is never run,
    # and Python warns about that at exit. Nothing is lost: the flow runs have ended.
    warnings.filterwarnings("ignore", message="coroutine 'Runner.astop' was never awaited", category=RuntimeWarning)
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        url = configured_api_url()
        server = contextlib.nullcontext(url) if url else local_prefect_server(log_path=server_log)
        with server as api_url:
            os.environ["PREFECT_API_URL"] = str(api_url)  # for the flow-run subprocesses too
            from prefect.settings import temporary_settings

            with temporary_settings(updates={PREFECT_API_URL: api_url}):
                ingest_flow.serve(name=name, schedules=[Cron(cron, timezone=timezone)], parameters=parameters,
                                  print_starting_message=True)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
