"""Files per second through the ingest flow: Prefect's process pool vs a Dask LocalCluster.

    .venv/bin/python bench/runners.py [FOLDER] [--workers 2]

Same files, a fresh database each, alternating runners over several rounds; the figure quoted
in docs/scaling.md. Flow start-up (the temporary Prefect server) is paid once, before timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from hamflow.ingest import IngestOptions
from hamflow_flows.flows import dask_task_runner, default_task_runner, run_ingest


def timed(folder: Path, runner_name: str, workers: int) -> tuple[float, int]:
    runner = dask_task_runner(workers=workers) if runner_name == "dask" else default_task_runner(workers)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        report = run_ingest([str(folder)], str(Path(tmp) / "b.duckdb"), IngestOptions(settle_s=0.0), task_runner=runner)
        return time.perf_counter() - started, report.counts.files_new


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?", default="sample_fit", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        timed(args.folder, "process", args.workers)  # warm-up: starts the temporary server
        results: dict[str, list[float]] = {"process": [], "dask": []}
        files = 0
        for _ in range(args.rounds):
            for name in results:
                seconds, files = timed(args.folder, name, args.workers)
                results[name].append(seconds)
    print(f"{files} files, {args.workers} workers, {args.rounds} rounds (median)")
    base = statistics.median(results["process"])
    for name, runs in results.items():
        median = statistics.median(runs)
        print(f"{name:<8} {median:6.2f} s  {files / median:6.2f} files/s  ratio to process pool {base / median:4.2f}x")


if __name__ == "__main__":
    main()
