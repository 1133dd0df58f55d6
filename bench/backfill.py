"""The performance benchmark: every target, each a ratio to fitparse alone measured in the same run.

    make bench        # or: .venv/bin/python bench/backfill.py [--quick] [--report-only] [--batch-size N]

A new user's first run is a backfill: a year of files at once. This measures it the way the user
meets it - the real CLI as a subprocess, Prefect's start-up included - and puts it next to the
ten lines anyone could write instead (fitparse over the same files, in one process), so the
figure that matters is a ratio, not seconds that depend on the machine:

  (a) fitparse alone decoding every file in this process, counting records;
  (b) ``hamflow ingest --settle 0`` into a fresh database: the athlete-year with
      ``HAMFLOW_DECODER=fitparse`` and with the default decoder (each also on the first half of
      the year, to show that peak memory does not grow with the number of files), with
      ``--engine local``, on a Dask cluster of separate processes, and the real corpus;
  (c) the same command again over the same files (all known), with Prefect's temporary server,
      against a Prefect server that is already running, and with ``--engine local``;
  (d) one athlete's weeks, report and reprocess on a database of several athlete-years against
      the same on a database of that athlete's first month (bench/history.py);
  (e) the nightly run and export/reprocess at scale, from ``bench.nightly`` and ``bench.exports``
      when they are present.

Every target is printed as one table at the end (bench/targets.py) and saved with the figures in
``build/bench-work/results.json``. ``--quick`` runs every path on a few files, with the Prefect
runs sharing one running server: a smoke test of the harness whose figures mean nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bench/ and samplegen/ are folders of this repository, not installed packages

from bench import clirun  # noqa: E402
from bench.baseline import averaged, fitparse_alone  # noqa: E402
from bench.clirun import CliRun, cli_env, run_cli, running_prefect_server  # noqa: E402
from bench.cluster import dask_cluster  # noqa: E402
from bench.corpus import corpus_root, measure_corpus  # noqa: E402
from bench.external import Context, External, add_targets, call_measure  # noqa: E402
from bench.history import HistoryPlan, ensure_history, one_athlete_costs  # noqa: E402
from bench.report import CORPUS_RUN, Results, machine, report, targets  # noqa: E402
from bench.stages import decode_and_classify  # noqa: E402
from bench.storage import table_size  # noqa: E402
from bench.year import ensure_year, fit_files, half_year  # noqa: E402
from samplegen.month import DEFAULT_SEED  # noqa: E402

YEAR_DAYS = 365
HALF_FILES = 180
HISTORY = HistoryPlan(athletes=6, days=YEAR_DAYS, seed=DEFAULT_SEED, probe_days=30)
QUICK_YEAR_DAYS = 4
QUICK_HISTORY = HistoryPlan(athletes=2, days=2, seed=DEFAULT_SEED, probe_days=1)
DASK_WORKERS = 2
#: Modules measured elsewhere, and the targets each answers (listed as not measured without it).
EXTERNAL: dict[str, list[str]] = {
    "bench.nightly": ["nightly run, 6 athlete-years vs a first month", "finding 1 new file among 100,000 known vs 1,000",
                      "Prefect engine's extra seconds on a nightly run, server running"],
    "bench.exports": ["export again with nothing changed: partitions written",
                      "export incremental and linear (1 vs 6 athlete-years)", "export peak memory, 6 vs 1 athlete-years",
                      "export peak memory, 6 athlete-years", "reprocess one pass, linear, flat memory",
                      "reprocess peak memory, 6 vs 1 athlete-years"],
}

DECODERS: tuple[tuple[str, str | None], ...] = (("HAMFLOW_DECODER=fitparse", "fitparse"), ("default decoder", None))
#: Parts a run can leave out (their targets are then listed as not measured): the Prefect flow runs
#: (the Dask run needs the flow too), the Dask cluster, and the history databases (which the
#: nightly and export modules measure on).
SKIPPABLE = ("prefect", "dask", "history")


@dataclass
class Setup:
    year: Path
    work: Path
    prefect_home: Path
    api_url: str | None  # quick: every Prefect run against one running server
    batch: tuple[str, ...]
    quick: bool
    skip: set[str] = field(default_factory=set)

    @property
    def flows(self) -> bool:
        return "prefect" not in self.skip

    def env(self, decoder: str | None = None, api_url: str | None = None) -> dict[str, str]:
        return cli_env(decoder, api_url or self.api_url, self.prefect_home)


@contextmanager
def quick_server(quick: bool, prefect_home: Path, work: Path) -> Iterator[str | None]:
    with running_prefect_server(prefect_home, work / "prefect-server.log") if quick else nullcontext(None) as url:
        yield url


def measure(args: argparse.Namespace) -> Results:
    """Every measurement, in an order that lets later ones reuse earlier databases."""
    work = args.work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    clirun.progress_log = work / "progress.jsonl"
    ensure_year(args.out, args.seed, args.days, args.jobs)
    prefect_home = work / "prefect" if args.quick else ROOT / "build" / "bench-prefect"
    prefect_home.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}", flush=True)
    skip = set(args.skip)
    with quick_server(args.quick and "prefect" not in skip, prefect_home, work) as url:
        s = Setup(args.out, work, prefect_home, url, ("--batch-size", str(args.batch_size)) if args.batch_size else (), args.quick,
                  skip)
        return measure_all(s, args)


def measure_all(s: Setup, args: argparse.Namespace) -> Results:
    work = s.work
    year_files = fit_files(s.year)
    first = sorted(year_files, key=lambda p: p.name)[: args.half]
    half = half_year(s.year, work / "half-year", args.half) if args.half and s.flows else None
    if s.flows:  # a warm-up, not timed: Prefect creates or migrates its database on first use
        warm = work / "warm"
        warm.mkdir()
        shutil.copy2(year_files[0], warm / year_files[0].name)
        run_cli("warm-up", warm, work / "warm.duckdb", s.env(), 1)

    print("(a) fitparse alone ...", flush=True)
    base_load = os.getloadavg()[0]
    first_base = fitparse_alone(year_files)
    print(f"(a) {first_base.total:,} records in {first_base.seconds:.1f} s ({first_base.cpu_s:.1f} CPU s)", flush=True)
    year_runs: list[tuple[CliRun, list[Path]]] = []  # compared with fitparse alone once it is measured again

    def compared(run: CliRun, files: list[Path]) -> CliRun:
        year_runs.append((run, files))
        return run

    print("(a) decode, then classify, the same files in one process ...", flush=True)
    stages = decode_and_classify(year_files)
    print(f"(a) decode {stages.decode_cpu_s:.1f} CPU s, classify {stages.classify_cpu_s:.1f} CPU s, "
          f"{stages.sessions} sessions", flush=True)

    runs: list[CliRun] = []
    for name, decoder in DECODERS if s.flows else ():
        env = s.env(decoder)
        if half is not None:
            print(f"(b) half-year, {name} ...", flush=True)
            runs.append(compared(run_cli(f"(b) half-year, {name}", half, work / f"half-{decoder}.duckdb", env, len(first), *s.batch),
                                 first))
        print(f"(b) year, {name} ...", flush=True)
        db = work / f"year-{decoder}.duckdb"
        runs.append(compared(run_cli(f"(b) year, {name}", s.year, db, env, len(year_files), *s.batch), year_files))
        if not s.quick:
            print(f"(c) rerun, {name} ...", flush=True)
            runs.append(run_cli(f"(c) rerun, {name}", s.year, db, env, len(year_files)))
    print("(b) year, --engine local, default decoder ...", flush=True)
    runs.append(compared(run_cli("(b) year, --engine local, default decoder", s.year, work / "year-local.duckdb", s.env(),
                                 len(year_files), "--engine", "local", *s.batch), year_files))
    samples = table_size(work / "year-local.duckdb")  # the same rows whichever engine wrote them
    if s.flows and "dask" not in s.skip:
        print(f"(b) year, Dask cluster ({DASK_WORKERS} worker processes) ...", flush=True)
        with dask_cluster(work / "dask", DASK_WORKERS) as address:
            runs.append(compared(run_cli(f"(b) year, Dask cluster, {DASK_WORKERS} worker processes", s.year,
                                         work / "year-dask.duckdb", s.env(), len(year_files), "--task-runner", "dask",
                                         "--dask-address", address, *s.batch), year_files))
    if s.flows and not s.quick:
        runs += reruns(s, len(year_files))
    print("(a) fitparse alone again, after the year's runs ...", flush=True)
    again = fitparse_alone(year_files)
    base = averaged(first_base, again)
    print(f"(a) {again.seconds:.1f} s ({again.cpu_s:.1f} CPU s); the year's runs are compared with the mean, "
          f"{base.seconds:.1f} s", flush=True)
    for run, files in year_runs:
        run.records = sum(base.records.get(p, 0) for p in files) if run.files_new else 0
        run.baseline_s = base.seconds_for(files) if run.files_new else 0.0
    corpus = measure_corpus(CORPUS_RUN if s.flows else "(b) real corpus, --engine local", args.corpus, work / "corpus.duckdb",
                            s.env(), *(s.batch if s.flows else ("--engine", "local", *s.batch)))
    corpus.run.records, corpus.run.baseline_s = corpus.baseline.total, corpus.baseline.seconds
    runs.append(corpus.run)

    history_figures: dict[str, Any] = {}
    external = {}
    if "history" not in s.skip:
        history = ensure_history(args.history, QUICK_HISTORY if s.quick else HISTORY, s.env(), args.jobs)
        reads_work = work / "history-reads"
        reads_work.mkdir()
        print("(d) one athlete's weeks, report and reprocess, first month vs history ...", flush=True)
        reads = one_athlete_costs(history, reads_work, s.env(), rounds=1 if s.quick else 2)
        history_figures = {"plan": asdict(history.plan), "builds": [asdict(b) for b in history.builds],
                           "reads": [asdict(r) for r in reads]}
        context = Context(work / "external", s.quick, history.history_db, history.month_db, history.years, s.year,
                          s.prefect_home, s.env(), sorted(s.skip))
        external = {module: call_measure(module, context) for module in EXTERNAL}
    else:
        external = {module: External(module, {}, "not measured: skipped with the history it measures on") for module in EXTERNAL}

    folder = str(s.year.relative_to(ROOT) if s.year.is_relative_to(ROOT) else s.year)
    res = Results(machine(), folder, args.seed, os.cpu_count() or 2, args.batch_size, len(year_files), base.total,
                  len(first) if half else 0, sum(base.records[p] for p in first) if half else 0, base.seconds, base.cpu_s,
                  base_load, runs, quick=s.quick, skipped=sorted(s.skip),
                  corpus={"folder": corpus.folder, "files": corpus.files, "readable": len(corpus.baseline.records),
                          "records": corpus.baseline.total, "base_s": corpus.baseline.seconds,
                          "activity_files": corpus.activity_files, "fast_activity_files": corpus.fast_activity_files},
                  samples={"rows": samples.rows, "bytes": samples.bytes, "file_bytes": samples.file_bytes},
                  history=history_figures, stages=asdict(stages), base_first_s=first_base.seconds, base_again_s=again.seconds)
    registry = targets(res)
    for module, ext in external.items():
        res.external[module] = add_targets(registry, ext, EXTERNAL[module])
    res.targets = registry.rows()
    return res


def reruns(s: Setup, files: int) -> list[CliRun]:
    """(c): the known year again, the flow forced, without Prefect, and against a running server."""
    db = s.work / "year-fitparse.duckdb"
    print("(c) rerun, flow forced ...", flush=True)
    runs = [run_cli("(c) rerun, flow forced (--always-flow)", s.year, db, s.env(), files, "--always-flow")]
    print("(c) rerun without Prefect start-up ...", flush=True)
    runs.append(run_cli("(c) rerun, --engine local", s.year, db, s.env(), files, "--engine", "local"))
    with running_prefect_server(s.prefect_home, s.work / "prefect-server.log") as url:
        runs.append(run_cli("(c) rerun, flow forced, server running", s.year, db, s.env(api_url=url), files, "--always-flow"))
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="every path on a few files (a smoke test; figures mean nothing)")
    parser.add_argument("--out", type=Path, default=None, help="the athlete-year folder (default build/bench-year; quick: in --work)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench-work", help="databases and results.json")
    parser.add_argument("--history", type=Path, default=None,
                        help="the athlete-years and databases for (d) (default build/bench-history; quick: in --work)")
    parser.add_argument("--corpus", type=Path, default=None, help="the real corpus, an inbox (default: as the tests find it)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--days", type=int, default=None, help=f"files in the athlete-year (default {YEAR_DAYS}; quick {QUICK_YEAR_DAYS})")
    parser.add_argument("--half", type=int, default=None, help=f"files in the half-year run (0: skip it; default {HALF_FILES})")
    parser.add_argument("--jobs", type=int, default=2, help="processes generating athlete-years")
    parser.add_argument("--batch-size", type=int, default=None, help="passed to hamflow ingest (default: its own)")
    parser.add_argument("--skip", action="append", choices=SKIPPABLE, default=[],
                        help="leave a part out (repeatable); its targets are listed as not measured")
    parser.add_argument("--report-only", action="store_true", help="print the report of the last run's results.json")
    args = parser.parse_args(argv)
    args.work = args.work.resolve()
    # A quick run keeps its small year and history in its work folder, away from the full ones.
    args.out = (args.out or (args.work / "quick-year" if args.quick else ROOT / "build" / "bench-year")).resolve()
    args.history = (args.history or (args.work.parent / f"{args.work.name}-history" if args.quick
                                     else ROOT / "build" / "bench-history")).resolve()
    args.corpus = (args.corpus or corpus_root()).resolve()
    args.days = args.days or (QUICK_YEAR_DAYS if args.quick else YEAR_DAYS)
    args.half = args.half if args.half is not None else (args.days // 2 if args.quick else HALF_FILES)
    saved = args.work / "results.json"
    if args.report_only:
        res = Results.from_json(json.loads(saved.read_text()))
        # The built-in targets are derived again from the figures (a changed threshold shows at once);
        # the other modules' rows are kept as they were measured.
        builtin = targets(res)
        res.targets = builtin.rows() + [t for t in res.targets if t["name"] not in builtin.names()]
    else:
        res = measure(args)
        saved.write_text(json.dumps(asdict(res), indent=2, default=str) + "\n")
    print()
    print("\n".join(report(res)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
