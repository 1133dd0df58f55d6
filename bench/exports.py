"""Export and reprocess at two sizes: do they grow with the data and nothing else?

    .venv/bin/python bench/exports.py DB [--copies 6] [--work build/bench-exports]

``DB`` holds one athlete-year (``make bench`` ingests one). The larger size is that database
with ``copies - 1`` more athletes, each a copy of every athlete's rows under a new id, so both
sizes hold the same kind of data. Each step runs as ``hamflow`` does, in a child process of its
own, so its peak memory (the child's maximum resident set) and CPU seconds are its alone:

- ``export`` into an empty folder, then ``export`` again with nothing changed (it must write
  nothing), then ``reprocess`` with a changed threshold (every workout recomputed).

Figures that matter are ratios between the two sizes, measured side by side in one run: CPU per
athlete-year flat, peak memory flat (an export's within 1.15x, and under 1 GB).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

import duckdb

REPO = Path(__file__).resolve().parents[1]
HAMFLOW = [sys.executable, "-m", "hamflow.cli"]
#: ``hamflow`` in a child that writes its own peak resident set (``VmHWM``) to the file named by
#: ``$HAMFLOW_BENCH_PEAK`` as it exits. The kernel's figure for a child (``wait4``'s ``ru_maxrss``)
#: is at least the parent's resident set when it forked, so a large harness would hide the child's.
PEAK_REPORTING = [sys.executable, "-c", """
import atexit, os, sys
def _peak():
    with open("/proc/self/status") as status, open(os.environ["HAMFLOW_BENCH_PEAK"], "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
atexit.register(_peak)
from hamflow.cli import main
sys.argv[0] = "hamflow"
main()
"""]
#: A config that moves every athlete's running threshold: a reprocess must recompute everything.
CHANGED_CONFIG = "[model.calibration]\nenabled = false\n[athletes.default]\nthreshold_speed_mps = 3.3\n"
#: Columns that name a row's athlete, workout or file: rewritten so a copy is a new athlete.
_IDS = ("athlete_id", "workout_id", "duplicate_of", "file_sha256", "path")
T = TypeVar("T")
_TABLES = ("fit_files", "file_paths", "workouts", "samples_stored", "segments", "workout_patterns", "strength_sets",
           "workout_evidence", "athlete_thresholds", "weekly_posterior_load")


def scaled_copy(src: Path, dst: Path, copies: int) -> Path:
    """``src`` with its athletes copied ``copies - 1`` times under new ids (``<id>~<k>``)."""
    shutil.copy(src, dst)
    with duckdb.connect(str(dst)) as con:
        con.execute("SET enable_progress_bar = false")  # a child's bars would land in the figures' output
        for table in _TABLES:
            columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
            ids = [c for c in columns if c in _IDS]
            for k in range(1, copies):
                replace = ", ".join(f"{c} || '~{k}' AS {c}" for c in ids)
                con.execute(f"INSERT INTO {table} SELECT * REPLACE ({replace}) FROM {table} WHERE {ids[0]} NOT LIKE '%~%'")
        con.execute("CHECKPOINT")
    return dst


def run_child(args: list[str]) -> dict[str, float | str]:
    """Run ``hamflow args`` in a child; its wall time, CPU seconds and peak resident set (MB),
    all of that child alone (``wait4`` reports the CPU of the one child it waited for; the peak
    is the child's own, see :data:`PEAK_REPORTING`)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err, \
            tempfile.TemporaryDirectory() as scratch:  # a full pipe would stall it
        peak_file = Path(scratch) / "peak-kb"
        env = {**os.environ, "HAMFLOW_BENCH_PEAK": str(peak_file)}
        start = time.monotonic()
        child = subprocess.Popen([*PEAK_REPORTING, *args], stdout=out, stderr=err, text=True, cwd=REPO, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
        peak_kb = int(peak_file.read_text()) if peak_file.exists() else usage.ru_maxrss
    if child.returncode != 0:
        raise RuntimeError(f"hamflow {' '.join(args)} failed: {stderr.strip()[-2000:]}")
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "said": stdout.strip().splitlines()[-1] if stdout.strip() else "",
    }


def _size(db: Path, work: Path, config: Path) -> dict[str, dict[str, float | str]]:
    out = work / f"{db.stem}-parquet"
    shutil.rmtree(out, ignore_errors=True)
    return {
        "export": run_child(["export", "--db", str(db), "--out", str(out)]),
        "export_again": run_child(["export", "--db", str(db), "--out", str(out)]),
        "reprocess": run_child(["reprocess", "--db", str(db), "--config", str(config)]),
    }


def _sample_count(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("SELECT count(*) FROM samples").fetchone()
    return int(row[0]) if row else 0


def _in_a_child(function: Callable[..., T], *args: object) -> T:
    """``function(*args)`` in a fresh interpreter. DuckDB's work stays out of this process, whose
    resident set would otherwise count in every child's: Linux reports a child's peak as at
    least its parent's at the time it was started."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def bench_exports(db: Path, *, copies: int = 6, work: Path | None = None) -> dict[str, object]:
    """Export and reprocess time and peak memory at one and ``copies`` athlete-years (``db``
    holding one), with the ratios per sample between the two sizes."""
    work = work or Path(tempfile.mkdtemp(prefix="hamflow-bench-exports-"))
    work.mkdir(parents=True, exist_ok=True)
    config = work / "changed.toml"
    config.write_text(CHANGED_CONFIG)
    small = work / "small.duckdb"
    shutil.copy(db, small)
    large = _in_a_child(scaled_copy, db, work / "large.duckdb", copies)
    figures: dict[str, object] = {}
    for name, path in (("small", small), ("large", large)):
        figures[name] = {"samples": _in_a_child(_sample_count, path), **_size(path, work, config)}
    ratios: dict[str, float] = {}
    s, g = figures["small"], figures["large"]
    assert isinstance(s, dict) and isinstance(g, dict)
    scale = g["samples"] / s["samples"]
    for step in ("export", "export_again", "reprocess"):
        ratios[f"{step}_cpu_per_sample"] = round(g[step]["cpu_s"] / scale / max(s[step]["cpu_s"], 1e-9), 2)
        ratios[f"{step}_peak_rss"] = round(g[step]["peak_rss_mb"] / s[step]["peak_rss_mb"], 2)
    figures["scale"] = round(scale, 2)
    figures["large_over_small"] = ratios
    return figures


def measure(work: Path, quick: bool, year: Path, env: dict[str, str]) -> dict[str, object]:
    """The bench harness's entry (``bench/external.py``): ``year`` ingested once with the local
    engine, then :func:`bench_exports` at one and six athlete-years; the targets as verdict rows."""
    work.mkdir(parents=True, exist_ok=True)
    db = work / "one-year.duckdb"
    db.unlink(missing_ok=True)
    subprocess.run([*HAMFLOW, "ingest", str(year), "--db", str(db), "--engine", "local", "--settle", "0"],
                   env=env, cwd=REPO, check=True, capture_output=True)
    figures = bench_exports(db, copies=2 if quick else 6, work=work / "sizes")
    ratios = figures["large_over_small"]
    large = figures["large"]
    assert isinstance(ratios, dict) and isinstance(large, dict)
    said = str(large["export_again"]["said"])
    written = int(said.split(" partitions written", 1)[0]) if " partitions written" in said else None
    return {
        **figures,
        "export again with nothing changed: partitions written": {"value": written, "threshold": 0, "compare": "<=",
                                                                 "unit": "", "note": said},
        "export incremental and linear (1 vs 6 athlete-years)": {
            "value": ratios["export_cpu_per_sample"], "threshold": 1.25, "compare": "<=",
            "note": "CPU per sample, 6 athlete-years over 1"},
        "export peak memory, 6 vs 1 athlete-years": {
            "value": ratios["export_peak_rss"], "threshold": 1.15, "compare": "<=", "note": "peak RSS ratio, into an empty folder"},
        "export peak memory, 6 athlete-years": {
            "value": large["export"]["peak_rss_mb"], "threshold": 1000, "compare": "<", "unit": "MB",
            "note": "peak RSS of the export child, into an empty folder"},
        "reprocess one pass, linear, flat memory": {
            "value": ratios["reprocess_cpu_per_sample"], "threshold": 1.25, "compare": "<=",
            "note": "CPU per sample, 6 athlete-years over 1"},
        "reprocess peak memory, 6 vs 1 athlete-years": {
            "value": ratios["reprocess_peak_rss"], "threshold": 1.25, "compare": "<=", "note": "peak RSS ratio"},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path, help="a database holding one athlete-year")
    parser.add_argument("--copies", type=int, default=6)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    print(json.dumps(bench_exports(args.db, copies=args.copies, work=args.work), indent=1))


if __name__ == "__main__":
    main()
