"""Backfill benchmark: a seeded athlete-year through ``hamflow ingest``, against fitparse alone.

    make bench        # or: .venv/bin/python bench/backfill.py [--half 0] [--batch-size N] [--report-only]

A new user's first run is a backfill: a year of files at once. This measures it the way the user
meets it - the real CLI as a subprocess, Prefect's start-up included - and puts it next to the
ten lines anyone could write instead (fitparse over the same files, in one process), so the
figure that matters is a ratio, not seconds that depend on the machine:

  (a) fitparse alone decoding every file in this process, counting records;
  (b) ``hamflow ingest --settle 0`` into a fresh database, with ``HAMFLOW_DECODER=fitparse`` and
      with the default decoder; also on the first half of the year, to show that peak memory
      does not grow with the number of files; and with ``--engine local``, to show what the flow
      adds;
  (c) the same command again over the same files (all known), with Prefect's temporary server,
      against a Prefect server that is already running (as under ``hamflow serve``), and with
      ``--engine local``.

Peak memory is the resident set of the whole process tree (the CLI, its decode workers and
Prefect's temporary server), sampled every 0.2 s. The per-stage breakdown is read back from the
run's row in ``ingest_runs``. The athlete-year is generated once and reused while it matches
its manifest.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

import duckdb
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # samplegen is a folder of this repository, not an installed package

from samplegen.catalog import ATHLETES  # noqa: E402
from samplegen.manifest import MANIFEST_NAME  # noqa: E402
from samplegen.month import DEFAULT_SEED  # noqa: E402
from samplegen.year import athlete_year  # noqa: E402

BIN = Path(sys.executable).parent
YEAR_DAYS = 365
HALF_FILES = 180
SAMPLE_EVERY_S = 0.2
GB = 2**30
#: The issue's targets on a 2-core machine.
TARGET_RATIO = 1.5
TARGET_RERUN_S = 5.0
TARGET_PEAK_BYTES = 1.5 * GB
#: Peak memory counts as flat when the full year needs at most this much more than half of it.
FLAT_TOLERANCE = 0.15
STAGE_COLUMNS = ("discover_s", "decode_s", "classify_s", "prepare_wait_s", "write_s", "weekly_s", "finish_s")


# --- the athlete-year ------------------------------------------------------------------------

def year_matches(folder: Path, seed: int, days: int) -> bool:
    """True when ``folder`` holds exactly the planned files of this seed, as its manifest says.

    Cheap (no decoding): the manifest's seed, FIT SDK version and file list must match the plan,
    and every listed file must be present and non-empty. A different SDK writes other bytes.
    """
    import garmin_fit_sdk

    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text())
    except (OSError, ValueError):
        return False
    planned = sorted(f.relpath for f in athlete_year(seed, days, ATHLETES["ana"]))
    listed = sorted(e["path"] for e in manifest.get("files", []))
    if manifest.get("seed") != seed or manifest.get("fit_sdk") != garmin_fit_sdk.__version__ or listed != planned:
        return False
    return all((folder / p).is_file() and (folder / p).stat().st_size > 0 for p in planned)


def ensure_year(folder: Path, seed: int, days: int, jobs: int) -> None:
    """Generate the athlete-year once; later runs reuse it while it matches its manifest."""
    if year_matches(folder, seed, days):
        print(f"athlete-year: reusing {folder} (matches its manifest)")
        return
    print(f"athlete-year: generating {days} files into {folder} ...", flush=True)
    subprocess.run([sys.executable, "-m", "samplegen", "--year", str(days), "--seed", str(seed), "--out", str(folder),
                    "--jobs", str(jobs), "--clean"], cwd=ROOT, check=True)


def fit_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.fit"))


def half_year(year: Path, out: Path, n: int) -> Path:
    """The first ``n`` files of the year (dated names: the first months), hard-linked, same layout."""
    if out.exists():
        shutil.rmtree(out)
    for src in sorted(fit_files(year), key=lambda p: p.name)[:n]:
        dst = out / src.relative_to(year)
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
    return out


# --- (a) fitparse alone ----------------------------------------------------------------------

def fitparse_alone(files: Sequence[Path]) -> tuple[dict[Path, int], float, float]:
    """The baseline anyone could write: decode each file, read every record's values.

    Returns the records of each file (so subsets need no second pass), the wall seconds and the
    CPU seconds taken (the CPU figure is what other load on a shared machine does not inflate).
    """
    import fitparse

    records: dict[Path, int] = {}
    cpu = time.process_time()
    started = time.perf_counter()
    for path in files:
        fit = fitparse.FitFile(str(path))
        n = 0
        for message in fit.get_messages("record"):
            message.get_values()
            n += 1
        fit.close()
        records[path] = n
    return records, time.perf_counter() - started, time.process_time() - cpu


# --- (b), (c) the CLI, measured from outside ------------------------------------------------

@dataclass
class CliRun:
    label: str
    files: int
    seconds: float
    peak_tree: int  # bytes, summed over the CLI and all its descendants at the worst sample
    peak_cli: int  # bytes, the CLI process alone
    stages: dict[str, float] = field(default_factory=dict)
    files_new: int = 0
    load: float = 0.0  # 1-minute load average when the run started
    cpu_s: float = 0.0  # CPU seconds of the whole process tree (what other users' load does not inflate)

    @property
    def in_process_s(self) -> float:
        """Wall seconds inside hamflow's own steps in the CLI process (not in its workers)."""
        s = self.stages
        return sum(s.get(k, 0.0) for k in ("discover_s", "prepare_wait_s", "write_s", "weekly_s", "finish_s"))


def children_cpu_s() -> float:
    """User + system CPU seconds of every finished descendant this process has waited for.

    The CLI waits for its workers and its temporary Prefect server, so the difference around one
    run is the CPU of that run's whole process tree.
    """
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def tree_rss(proc: psutil.Process) -> tuple[int, int]:
    """(RSS of ``proc`` and all its descendants, RSS of ``proc`` alone); gone processes count 0."""
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
    return own + sum(rss(c) for c in children), own


@contextmanager
def rss_sampler(pid: int) -> Iterator[list[int]]:
    """Sample the tree's RSS every 0.2 s while the block runs; yields [peak tree, peak own]."""
    peaks = [0, 0]
    stop = threading.Event()
    proc = psutil.Process(pid)

    def sample() -> None:
        while not stop.is_set():
            tree, own = tree_rss(proc)
            peaks[0], peaks[1] = max(peaks[0], tree), max(peaks[1], own)
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


def run_cli(label: str, folder: Path, db: Path, env: dict[str, str], files: int, *extra: str) -> CliRun:
    """``hamflow ingest FOLDER --db DB --settle 0``, timed and sampled from outside."""
    cmd = [str(BIN / "hamflow"), "ingest", str(folder), "--db", str(db), "--settle", "0", *extra]
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
    run = CliRun(label, files, seconds, peaks[0], peaks[1], load=load, cpu_s=cpu_s)
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
    from hamflow_flows.serve import local_prefect_server

    with local_prefect_server(log_path=log) as url:
        yield str(url)


# --- the report ------------------------------------------------------------------------------

def fmt_bytes(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


def machine() -> str:
    libs = ", ".join(f"{name} {version(name)}" for name in ("prefect", "duckdb", "polars", "fitparse", "fitfast"))
    return f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; {libs}"


def version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def run_table(res: Results) -> list[str]:
    base_rate = res.records / res.base_s
    records_by_files = {res.files: res.records, res.half_files: res.half_records}
    lines = [f"{'run':<44} {'files':>5} {'records':>9} {'seconds':>8} {'records/s':>10} {'vs (a)':>7} "
             f"{'CPU s':>6} {'peak RSS tree':>14} {'CLI alone':>10} {'load':>5}",
             f"{'(a) fitparse alone, one process':<44} {res.files:>5} {res.records:>9,} {res.base_s:>8.1f} "
             f"{base_rate:>10,.0f} {1:>6.2f}x {res.base_cpu_s:>6.1f} {'':>14} {'':>10} {res.base_load:>5.1f}"]
    for r in res.runs:
        records = records_by_files[r.files] if r.files_new else 0
        rate = records / r.seconds if records else 0.0
        ratio = f"{rate / base_rate:6.2f}x" if records else "      -"
        lines.append(f"{r.label:<44} {r.files:>5} {records:>9,} {r.seconds:>8.1f} {rate:>10,.0f} {ratio:>7} "
                     f"{r.cpu_s:>6.1f} {fmt_bytes(r.peak_tree):>14} {fmt_bytes(r.peak_cli):>10} {r.load:>5.1f}")
    return lines


def stage_table(run: CliRun, startup_s: float, workers: int) -> list[str]:
    """Where the wall time of one (b) run went, from its ingest_runs row."""
    s = run.stages
    prefect = run.seconds - run.in_process_s - startup_s
    rows = [
        ("discover", s["discover_s"], "wall, CLI process: list, path index, hash, run row"),
        ("decode", s["decode_s"], f"CPU seconds summed over {workers} parallel workers"),
        ("classify", s["classify_s"], f"CPU seconds summed over {workers} parallel workers"),
        ("  waiting for workers", s["prepare_wait_s"], "wall, CLI process blocked on workers (their start-up too)"),
        ("write", s["write_s"], "wall, CLI process: batch transactions"),
        ("weekly", s["weekly_s"], "wall, CLI process: weekly refresh inside those transactions"),
        ("finish", s["finish_s"], "wall, CLI process"),
        ("CLI start-up and summary", startup_s, "wall, from the --engine local rerun (no Prefect)"),
        ("Prefect overhead", prefect, "wall - the wall rows above"),
    ]
    lines = [f"  {'stage':<26} {'seconds':>8}  {'share of wall':>13}  how measured"]
    for name, secs, how in rows:
        share = f"{secs / run.seconds:12.0%}" if not how.startswith("CPU") else "            -"
        lines.append(f"  {name:<26} {secs:>8.1f}  {share:>13}  {how}")
    return lines


def verdict(ok: bool) -> str:
    return "holds" if ok else "MISSED"


@dataclass
class Results:
    """Everything one benchmark run measured; saved as JSON so the report can be printed again."""

    machine: str
    folder: str
    seed: int
    workers: int
    batch_size: int | None
    files: int
    records: int
    half_files: int
    half_records: int
    base_s: float
    base_cpu_s: float
    base_load: float
    runs: list[CliRun]

    def run(self, label: str) -> CliRun | None:
        return next((r for r in self.runs if r.label == label), None)


DECODERS: tuple[tuple[str, str | None], ...] = (("HAMFLOW_DECODER=fitparse", "fitparse"), ("default decoder", None))


def measure(args: argparse.Namespace) -> Results:
    """Run (a), then (b) and (c) for each decoder setting, then the reruns without Prefect start-up."""
    batch = ("--batch-size", str(args.batch_size)) if args.batch_size else ()
    ensure_year(args.out, args.seed, args.days, args.jobs)
    work = args.work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    prefect_home = ROOT / "build" / "bench-prefect"
    prefect_home.mkdir(parents=True, exist_ok=True)
    year_files = fit_files(args.out)
    first = sorted(year_files, key=lambda p: p.name)[: args.half]
    half = half_year(args.out, work / "half-year", args.half) if args.half else None
    print(f"machine: {machine()}", flush=True)

    # Warm-up, not timed: Prefect creates or migrates its database on first use.
    warm = work / "warm"
    warm.mkdir()
    shutil.copy2(year_files[0], warm / year_files[0].name)
    run_cli("warm-up", warm, work / "warm.duckdb", cli_env(None, None, prefect_home), 1)

    print("(a) fitparse alone ...", flush=True)
    base_load = os.getloadavg()[0]
    per_file, base_s, base_cpu_s = fitparse_alone(year_files)
    records = sum(per_file.values())
    half_records = sum(per_file[p] for p in first) if half else 0

    runs: list[CliRun] = []
    for name, decoder in DECODERS:
        env = cli_env(decoder, None, prefect_home)
        if half is not None:
            print(f"(b) half-year, {name} ...", flush=True)
            runs.append(run_cli(f"(b) half-year, {name}", half, work / f"half-{decoder}.duckdb", env, len(first), *batch))
        print(f"(b) year, {name} ...", flush=True)
        db = work / f"year-{decoder}.duckdb"
        runs.append(run_cli(f"(b) year, {name}", args.out, db, env, len(year_files), *batch))
        print(f"(c) rerun, {name} ...", flush=True)
        runs.append(run_cli(f"(c) rerun, {name}", args.out, db, env, len(year_files)))
    # The rerun above is recognised as unchanged before Prefect starts; this one makes the flow run.
    print("(c) rerun, flow forced ...", flush=True)
    runs.append(run_cli("(c) rerun, flow forced (--always-flow)", args.out, work / "year-fitparse.duckdb",
                        cli_env(None, None, prefect_home), len(year_files), "--always-flow"))
    # The same work without Prefect, in one process: what the flow's parallelism buys on this machine.
    print("(b) year, --engine local, default decoder ...", flush=True)
    runs.append(run_cli("(b) year, --engine local, default decoder", args.out, work / "year-local.duckdb",
                        cli_env(None, None, prefect_home), len(year_files), "--engine", "local", *batch))
    db = work / "year-fitparse.duckdb"
    print("(c) rerun without Prefect start-up ...", flush=True)
    runs.append(run_cli("(c) rerun, --engine local", args.out, db, cli_env(None, None, prefect_home), len(year_files),
                        "--engine", "local"))
    with running_prefect_server(prefect_home, work / "prefect-server.log") as url:
        runs.append(run_cli("(c) rerun, flow forced, server running", args.out, db,
                            cli_env(None, url, prefect_home), len(year_files), "--always-flow"))
    folder = str(args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out)
    return Results(machine(), folder, args.seed, os.cpu_count() or 2, args.batch_size, len(year_files), records,
                   len(first) if half else 0, half_records, base_s, base_cpu_s, base_load, runs)


def report(res: Results) -> list[str]:
    """The printed report: runs, per-stage breakdowns, and each target with its verdict."""
    local = res.run("(c) rerun, --engine local")
    startup_s = max(0.0, local.seconds - local.in_process_s) if local else 0.0
    full = {name: r for name, _ in DECODERS if (r := res.run(f"(b) year, {name}"))}
    out = [
        "hamflow backfill benchmark",
        f"machine: {res.machine}",
        f"files: {res.files} ({res.folder}, seed {res.seed}), records: {res.records:,}; "
        f"{res.workers} decode workers, batch size {res.batch_size or 'default (8)'}",
        "",
        *run_table(res),
    ]
    for name, run in full.items():
        best = res.workers * res.base_cpu_s / max(run.stages["decode_s"] + run.stages["classify_s"], 1e-9)
        out += ["", f"stages of (b) year, {name}: {run.seconds:.1f} s wall. With {res.workers} cores doing nothing but its "
                    f"decode + classify, it would reach at most {best:.2f}x fitparse alone (by CPU seconds).",
                *stage_table(run, startup_s, res.workers)]
    out += ["", "targets:"]
    for name, run in full.items():
        ratio = res.base_s / run.seconds
        bound = res.workers * res.base_cpu_s / run.cpu_s
        out.append(f"  (b) >= {TARGET_RATIO}x fitparse alone, {name}: {ratio:.2f}x  {verdict(ratio >= TARGET_RATIO)} "
                   f"(its {run.cpu_s:.0f} CPU s against {res.base_cpu_s:.0f} allow at most {bound:.2f}x on {res.workers} cores)")
    for r in res.runs:
        if r.label.startswith("(c)"):
            out.append(f"  (c) < {TARGET_RERUN_S:.0f} s, {r.label[4:]}: {r.seconds:.1f} s  {verdict(r.seconds < TARGET_RERUN_S)}")
    peak = max(r.peak_tree for r in res.runs)
    out.append(f"  peak RSS < {TARGET_PEAK_BYTES / GB:.1f} GB: {fmt_bytes(peak)}  {verdict(peak < TARGET_PEAK_BYTES)}")
    for name, run in full.items():
        half_run = res.run(f"(b) half-year, {name}")
        if half_run is None:
            continue
        growth = run.peak_tree / half_run.peak_tree - 1
        out.append(f"  peak RSS flat in files, {name}: {res.half_files} files {fmt_bytes(half_run.peak_tree)} "
                   f"(CLI {fmt_bytes(half_run.peak_cli)}), {res.files} files {fmt_bytes(run.peak_tree)} "
                   f"(CLI {fmt_bytes(run.peak_cli)}): {growth:+.0%}  {verdict(growth <= FLAT_TOLERANCE)}")
    out += [
        "CPU s: user + system seconds of the run's whole process tree; load: the 1-minute load average at its",
        "start (this machine is shared). Decode and classify are CPU seconds of the worker processes, summed",
        "over the parallel workers; the other stages are wall time in the CLI process. Peak RSS sums resident",
        "memory over the process tree, sampled every 0.2 s, so pages shared between processes count once per",
        "process.",
    ]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench-year", help="the athlete-year folder")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench-work", help="databases and results.json")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--days", type=int, default=YEAR_DAYS)
    parser.add_argument("--half", type=int, default=HALF_FILES, help="files in the half-year run (0: skip it)")
    parser.add_argument("--jobs", type=int, default=2, help="processes generating the athlete-year")
    parser.add_argument("--batch-size", type=int, default=None, help="passed to hamflow ingest (default: its own)")
    parser.add_argument("--report-only", action="store_true", help="print the report of the last run's results.json")
    args = parser.parse_args(argv)
    args.out, args.work = args.out.resolve(), args.work.resolve()
    saved = args.work / "results.json"
    if args.report_only:
        data = json.loads(saved.read_text())
        data["runs"] = [CliRun(**r) for r in data["runs"]]
        res = Results(**data)
    else:
        res = measure(args)
        saved.write_text(json.dumps(asdict(res), indent=2) + "\n")
    print()
    print("\n".join(report(res)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
