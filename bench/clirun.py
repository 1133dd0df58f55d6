"""``hamflow`` commands run as a user runs them, measured from outside.

Each command is a subprocess of the benchmark: wall time, the CPU seconds of its whole process
tree (what other load on a shared machine does not inflate), and the resident memory of that tree
sampled every 0.2 s. For ``hamflow ingest`` the per-stage breakdown is read back from the run's
row in ``ingest_runs``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SAMPLE_EVERY_S = 0.2
#: Every finished command is appended here as a JSON line, so a long run cut short keeps its figures.
progress_log: Path | None = None
STAGE_COLUMNS = ("discover_s", "survey_s", "decode_s", "classify_s", "prepare_wait_s", "write_s", "weekly_s", "merge_s",
                 "calibrate_s", "finish_s")
#: The stages timed in wall seconds of the CLI process (the others are CPU seconds of the workers).
WALL_STAGES = ("discover_s", "survey_s", "prepare_wait_s", "write_s", "weekly_s", "merge_s", "calibrate_s", "finish_s")


@dataclass
class CliRun:
    label: str
    files: int
    seconds: float
    peak_tree: int  # bytes, summed over the CLI and all its descendants at the worst sample
    peak_cli: int  # bytes, the CLI process alone
    #: bytes, the tree's proportional set size at its worst sample: each page shared by several
    #: processes (the libraries every Python process of the tree maps) counted once, in shares
    peak_tree_pss: int = 0
    stages: dict[str, float] = field(default_factory=dict)
    files_new: int = 0
    load: float = 0.0  # 1-minute load average when the run started
    cpu_s: float = 0.0  # CPU seconds of the whole process tree (what other users' load does not inflate)
    records: int = 0  # FIT records in the files the run ingested
    baseline_s: float = 0.0  # fitparse alone over the same readable files (0: not compared)

    @property
    def ratio(self) -> float | None:
        """How many times fitparse alone's wall time over the same files this run took less."""
        return self.baseline_s / self.seconds if self.baseline_s else None

    @property
    def in_process_s(self) -> float:
        """Wall seconds inside hamflow's own steps in the CLI process (not in its workers)."""
        s = self.stages
        return sum(s.get(k) or 0.0 for k in WALL_STAGES)


def children_cpu_s() -> float:
    """User + system CPU seconds of every finished descendant this process has waited for.

    The CLI waits for its workers and its temporary Prefect server, so the difference around one
    run is the CPU of that run's whole process tree.
    """
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _pss(pid: int) -> int:
    """A process's proportional set size from /proc (0 where there is none: not Linux, gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_memory(proc: psutil.Process) -> tuple[int, int, int]:
    """(RSS of ``proc`` and all its descendants, RSS of ``proc`` alone, PSS of them all); gone
    processes count 0. The RSS sum counts a library every process maps once per process; the PSS
    sum splits each shared page among the processes that map it."""
    def rss(p: psutil.Process) -> int:
        try:
            return int(p.memory_info().rss)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return 0

    try:
        children = proc.children(recursive=True)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        children = []
    own = rss(proc)
    return own + sum(rss(c) for c in children), own, sum(_pss(p.pid) for p in [proc, *children])


@contextmanager
def rss_sampler(pid: int) -> Iterator[list[int]]:
    """Sample the tree's memory every 0.2 s while the block runs; yields [peak tree RSS, peak own
    RSS, peak tree PSS]."""
    peaks = [0, 0, 0]
    stop = threading.Event()
    proc = psutil.Process(pid)

    def sample() -> None:
        while not stop.is_set():
            tree, own, pss = tree_memory(proc)
            peaks[0], peaks[1], peaks[2] = max(peaks[0], tree), max(peaks[1], own), max(peaks[2], pss)
            stop.wait(SAMPLE_EVERY_S)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peaks
    finally:
        stop.set()
        thread.join()


def cli_env(decoder: str | None, api_url: str | None, prefect_home: Path) -> dict[str, str]:
    """The environment of a fresh machine: no Prefect server configured unless ``api_url``.

    ``decoder`` None leaves HAMFLOW_DECODER unset (the default). Prefect keeps its state in a
    home of the benchmark's own, so the user's Prefect history neither slows nor receives it.
    """
    env = {k: v for k, v in os.environ.items() if k != "HAMFLOW_DECODER" and not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(prefect_home)
    if api_url:
        env["PREFECT_API_URL"] = api_url
    if decoder:
        env["HAMFLOW_DECODER"] = decoder
    return env


def run_hamflow(label: str, args: list[str], env: dict[str, str], files: int = 0) -> CliRun:
    """``hamflow ARGS``, timed and sampled from outside; a non-zero exit stops the benchmark."""
    cmd = [str(BIN / "hamflow"), *args]
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as out:
        before = children_cpu_s()
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        with rss_sampler(proc.pid) as peaks:
            code = proc.wait()
        seconds = time.perf_counter() - started
        cpu_s = children_cpu_s() - before
        if code != 0:
            out.seek(0)
            raise SystemExit(f"{label}: {' '.join(cmd)} exited {code}:\n{out.read().decode(errors='replace')}")
    run = CliRun(label, files, seconds, peaks[0], peaks[1], peaks[2], load=load, cpu_s=cpu_s)
    if progress_log is not None:
        with progress_log.open("a") as log:
            log.write(json.dumps({"args": args, **asdict(run)}) + "\n")
    return run


def run_cli(label: str, folder: Path, db: Path, env: dict[str, str], files: int, *extra: str) -> CliRun:
    """``hamflow ingest FOLDER --db DB --settle 0``, with its stage times from ``ingest_runs``."""
    run = run_hamflow(label, ["ingest", str(folder), "--db", str(db), "--settle", "0", *extra], env, files)
    run.stages, run.files_new = last_run_stages(db)
    return run


def last_run_stages(db: Path) -> tuple[dict[str, float], int]:
    """The newest ``ingest_runs`` row's stage seconds and new-file count."""
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(f"SELECT files_new, {', '.join(STAGE_COLUMNS)} FROM ingest_runs "
                          "ORDER BY started_at DESC LIMIT 1").fetchone()
    if row is None:
        raise SystemExit(f"no ingest_runs row in {db}")
    return {k: float(v or 0.0) for k, v in zip(STAGE_COLUMNS, row[1:], strict=False)}, int(row[0])


@contextmanager
def running_prefect_server(prefect_home: Path, log: Path) -> Iterator[str]:
    """A Prefect server started before timing, as ``hamflow serve`` keeps one for its nightly runs."""
    os.environ["PREFECT_HOME"] = str(prefect_home)
    from hamflow_flows.serve import START_TIMEOUT_S
    from hamflow_flows.server import local_prefect_server

    with local_prefect_server(scheduling=True, start_timeout_s=START_TIMEOUT_S, log_path=log) as url:
        yield str(url)

