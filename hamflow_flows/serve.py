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
import warnings
from datetime import timedelta
from pathlib import Path
from types import FrameType

from prefect.schedules import Cron, Interval
from prefect.settings import PREFECT_API_URL

from .server import ServerDidNotStart, local_prefect_server


class ServeError(Exception):
    pass


#: How long ``hamflow serve`` waits for the server it starts (a first start migrates a new database).
START_TIMEOUT_S = 90.0


def configured_api_url() -> str | None:
    url = PREFECT_API_URL.value()
    return str(url) if url else None


#: The schedule when none is given: 3 am every day (``hamflow serve --help`` says so too).
DEFAULT_CRON = "0 3 * * *"


def serve_nightly(*, inbox: str, db: str, cron: str | None = None, every: timedelta | None = None,
                  timezone: str | None = None, config_path: str | None = None, settle_s: float = 5.0,
                  name: str = "nightly", server_log: Path | None = None) -> None:
    """Serve the ingest flow on ``cron`` (default :data:`DEFAULT_CRON`), or ``every`` so long
    when given (in ``timezone``), until Ctrl-C or SIGTERM."""
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
        server = contextlib.nullcontext(url) if url else local_prefect_server(
            scheduling=True, start_timeout_s=START_TIMEOUT_S, log_path=server_log)
        with server as api_url:
            os.environ["PREFECT_API_URL"] = str(api_url)  # for the flow-run subprocesses too
            from prefect.settings import temporary_settings

            with temporary_settings(updates={PREFECT_API_URL: api_url}):
                schedule = Interval(every, timezone=timezone) if every is not None else Cron(cron or DEFAULT_CRON, timezone=timezone)
                ingest_flow.serve(name=name, schedules=[schedule], parameters=parameters,
                                  print_starting_message=True)
    except KeyboardInterrupt:
        pass
    except ServerDidNotStart as exc:
        raise ServeError(str(exc)) from exc
    finally:
        signal.signal(signal.SIGTERM, previous)
