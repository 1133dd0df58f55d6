"""What one benchmark run measured, its targets with their verdicts, and the printed report."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from bench.clirun import CliRun
from bench.targets import Registry, Target

MB = 2**20
#: The targets' thresholds (docs/benchmarks.md says where each comes from).
PREFECT_RATIO = 10.0
LOCAL_RATIO = 15.0
CORPUS_RATIO = 10.0
REFERENCE_RATIO = 1.5
CLASSIFY_PER_DECODE = 1.0
FAST_SHARE = 0.95
WRITE_SHARE = 0.15
HISTORY_RATIO = 1.5
SAMPLES_BYTES_PER_ROW = 30.0
PEAK_MB = 1024.0
#: Peak memory counts as flat when the full year needs at most this much more than half of it.
FLAT_RATIO = 1.15
DASK_RATIO = 1.2

PREFECT_RUN = "(b) year, default decoder"
REFERENCE_RUN = "(b) year, HAMFLOW_DECODER=fitparse"
LOCAL_RUN = "(b) year, --engine local, default decoder"
CORPUS_RUN = "(b) real corpus, default decoder"
DASK_PREFIX = "(b) year, Dask cluster"
HISTORY_COMMANDS = ("weeks", "report", "reprocess")


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
    quick: bool = False
    skipped: list[str] = field(default_factory=list)
    corpus: dict[str, Any] = field(default_factory=dict)
    samples: dict[str, int] = field(default_factory=dict)
    history: dict[str, Any] = field(default_factory=dict)
    external: dict[str, list[str]] = field(default_factory=dict)  # figures without a verdict, per module
    #: The decoder's and the model's CPU on the year's files, apart (bench/stages.py).
    stages: dict[str, float] = field(default_factory=dict)
    targets: list[dict[str, object]] = field(default_factory=list)
    #: fitparse alone over the year before the runs and after them; ``base_s`` is their mean
    #: (0: a run that measured it once).
    base_first_s: float = 0.0
    base_again_s: float = 0.0

    def run(self, label: str) -> CliRun | None:
        return next((r for r in self.runs if r.label == label), None)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Results:
        data["runs"] = [CliRun(**r) for r in data["runs"]]
        return cls(**data)


def version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> str:
    libs = ", ".join(f"{name} {version(name)}" for name in ("prefect", "dask", "duckdb", "polars", "fitparse", "fitfast"))
    return f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; {libs}"


def _ratio(name: str, run: CliRun | None, threshold: float) -> Target | None:
    if run is None or run.ratio is None:
        return None
    return Target(name, run.ratio, ">=", threshold, "x", f"{run.seconds:.1f} s against {run.baseline_s:.1f} s")


def _measured(res: Results) -> list[tuple[str, Target | None]]:
    """Each built-in target's name and its row, None when this run did not measure it."""
    flow, local, ref, corpus = res.run(PREFECT_RUN), res.run(LOCAL_RUN), res.run(REFERENCE_RUN), res.run(CORPUS_RUN)
    rows: list[tuple[str, Target | None]] = []

    def add(name: str, ok: bool, *args: Any) -> None:
        rows.append((name, Target(name, *args) if ok else None))

    rows += [(name, _ratio(name, run, threshold)) for name, run, threshold in (
        ("athlete-year, Prefect flow, its start included", flow, PREFECT_RATIO),
        ("athlete-year, --engine local", local, LOCAL_RATIO),
        ("real corpus end to end", corpus, CORPUS_RATIO),
        ("athlete-year, HAMFLOW_DECODER=fitparse", ref, REFERENCE_RATIO))]
    s = flow.stages if flow is not None else {}
    cpu = res.stages
    add("classify CPU per fast-decoder CPU", bool(cpu.get("decode_cpu_s")),
        cpu.get("classify_cpu_s", 0.0) / (cpu.get("decode_cpu_s") or 1.0), "<=", CLASSIFY_PER_DECODE, "x",
        f"{cpu.get('classify_cpu_s', 0.0):.1f} against {cpu.get('decode_cpu_s', 0.0):.1f} CPU s, athlete-year, one process")
    c = res.corpus
    add("corpus activity files on the fast path", bool(c.get("activity_files")),
        c.get("fast_activity_files", 0) / (c.get("activity_files") or 1), ">=", FAST_SHARE, "%",
        f"{c.get('fast_activity_files')} of {c.get('activity_files')}")
    written = s.get("write_s", 0.0) + s.get("weekly_s", 0.0)
    add("writes' share of the run's wall time", flow is not None, written / (flow.seconds if flow else 1.0), "<=", WRITE_SHARE, "%",
        f"write + weekly {written:.1f} s of {flow.seconds if flow else 0:.1f} s, Prefect flow")
    reads = {r["command"]: r for r in res.history.get("reads", [])}
    athletes = res.history.get("plan", {}).get("athletes", 0)
    for command in HISTORY_COMMANDS:
        r = reads.get(command, {"history_s": 0.0, "month_s": 1.0})
        add(f"{command} of one athlete, several athlete-years vs its first month", command in reads, r["history_s"] / r["month_s"],
            "<=", HISTORY_RATIO, "x", f"{r['history_s']:.1f} s against {r['month_s']:.1f} s, {athletes} athlete-years")
    rows_ = res.samples.get("rows", 0)
    add("samples on disk, bytes per row", bool(rows_), res.samples.get("bytes", 0) / (rows_ or 1), "<=", SAMPLES_BYTES_PER_ROW,
        "B/row", f"{rows_:,} rows, athlete-year")
    measured = [r for r in res.runs if r.label.startswith(("(b)", "(c)"))]
    worst = max(measured, key=lambda r: r.peak_tree) if measured else None
    add("peak memory of the process tree", worst is not None, worst.peak_tree / MB if worst else 0.0, "<", PEAK_MB, "MB",
        f"{worst.label}; shared pages counted once (PSS): {worst.peak_tree_pss / MB:,.0f} MB" if worst else "")
    for full_label in (REFERENCE_RUN, PREFECT_RUN):
        full, half = res.run(full_label), res.run(full_label.replace("(b) year", "(b) half-year"))
        add(f"peak memory flat in files, {full_label[10:]}", full is not None and half is not None,
            full.peak_tree / half.peak_tree if full and half else 0.0, "<=", FLAT_RATIO, "x",
            f"{res.files} files {full.peak_tree / MB:,.0f} MB, {res.half_files} files {half.peak_tree / MB:,.0f} MB"
            if full and half else "")
    dask = next((r for r in res.runs if r.label.startswith(DASK_PREFIX)), None)
    add("Dask cluster's time per process pool's", dask is not None and flow is not None,
        dask.seconds / flow.seconds if dask and flow else 0.0, "<=", DASK_RATIO, "x",
        f"{dask.seconds:.1f} s against {flow.seconds:.1f} s, athlete-year" if dask and flow else "")
    return rows


def targets(res: Results) -> Registry:
    """Every built-in target, in the order of docs/benchmarks.md; one this run did not measure says so."""
    registry = Registry()
    for name, target in _measured(res):
        if target is None:
            registry.missing([name], "not measured in this run" + (f" (skipped: {', '.join(res.skipped)})" if res.skipped else ""))
        else:
            registry.add(target)
    return registry


def fmt_bytes(n: int) -> str:
    return f"{n / MB:,.0f} MB"


def run_table(res: Results) -> list[str]:
    width = max(len(r.label) for r in res.runs) if res.runs else 44
    lines = [f"{'run':<{width}} {'files':>5} {'records':>9} {'seconds':>8} {'records/s':>10} {'vs (a)':>7} "
             f"{'CPU s':>6} {'peak RSS tree':>14} {'PSS tree':>10} {'CLI alone':>10} {'load':>5}",
             f"{'(a) fitparse alone, one process':<{width}} {res.files:>5} {res.records:>9,} {res.base_s:>8.1f} "
             f"{res.records / res.base_s:>10,.0f} {1:>6.2f}x {res.base_cpu_s:>6.1f} {'':>14} {'':>10} {'':>10} {res.base_load:>5.1f}"]
    for r in res.runs:
        rate = r.records / r.seconds if r.records else 0.0
        ratio = f"{r.ratio:6.2f}x" if r.ratio is not None else "      -"
        lines.append(f"{r.label:<{width}} {r.files:>5} {r.records:>9,} {r.seconds:>8.1f} {rate:>10,.0f} {ratio:>7} "
                     f"{r.cpu_s:>6.1f} {fmt_bytes(r.peak_tree):>14} {fmt_bytes(r.peak_tree_pss):>10} {fmt_bytes(r.peak_cli):>10} "
                     f"{r.load:>5.1f}")
    return lines


def stage_table(run: CliRun, startup_s: float, workers: int) -> list[str]:
    """Where the wall time of one (b) run went, from its ingest_runs row."""
    s = run.stages
    prefect = run.seconds - run.in_process_s - startup_s
    rows = [
        ("discover", s["discover_s"], "wall, CLI process: list, path index, hash, run row"),
        ("survey", s.get("survey_s") or 0.0, "wall, CLI process: stored and surveyed thresholds before classifying"),
        ("decode", s["decode_s"], f"CPU seconds summed over {workers} parallel workers"),
        ("classify", s["classify_s"], f"CPU seconds summed over {workers} parallel workers"),
        ("  waiting for workers", s["prepare_wait_s"], "wall, CLI process blocked on workers (their start-up too)"),
        ("write", s["write_s"], "wall, CLI process: batch transactions"),
        ("weekly", s["weekly_s"], "wall, CLI process: weekly refresh inside those transactions"),
        ("merge", s.get("merge_s") or 0.0, "wall, CLI process: recordings of one workout merged"),
        ("calibrate", s.get("calibrate_s") or 0.0, "wall, CLI process: thresholds again, stale workouts classified again"),
        ("finish", s["finish_s"], "wall, CLI process"),
        ("CLI start-up and summary", startup_s, "wall, from the --engine local rerun (no Prefect)"),
        ("Prefect overhead", prefect, "wall - the wall rows above"),
    ]
    lines = [f"  {'stage':<26} {'seconds':>8}  {'share of wall':>13}  how measured"]
    for name, secs, how in rows:
        share = f"{secs / run.seconds:12.0%}" if not how.startswith("CPU") else "            -"
        lines.append(f"  {name:<26} {secs:>8.1f}  {share:>13}  {how}")
    return lines


def report(res: Results) -> list[str]:
    """The printed report: runs, per-stage breakdowns, other figures, and the targets table last."""
    rerun = res.run("(c) rerun, --engine local")
    startup_s = max(0.0, rerun.seconds - rerun.in_process_s) if rerun else 0.0
    out = [
        "hamflow benchmark" + ("  (--quick: a smoke test of the harness; the figures mean nothing)" if res.quick else ""),
        f"machine: {res.machine}",
        f"athlete-year: {res.files} files ({res.folder}, seed {res.seed}), records: {res.records:,}; "
        f"{res.workers} decode workers, batch size {res.batch_size or 'default (8)'}",
    ]
    if res.corpus:
        c = res.corpus
        out.append(f"real corpus: {c['files']} files ({c['folder']}), {c['readable']} readable by fitparse alone with "
                   f"{c['records']:,} records in {c['base_s']:.1f} s")
    if res.base_again_s:
        out.append(f"fitparse alone over the year: {res.base_first_s:.1f} s before the runs, {res.base_again_s:.1f} s after "
                   f"them ({res.base_again_s / res.base_first_s - 1:+.0%}); the year's runs are compared with the mean")
    out += ["", *run_table(res)]
    for label in (REFERENCE_RUN, PREFECT_RUN, CORPUS_RUN):
        run = res.run(label)
        if run is not None and run.stages:
            best = res.workers * res.base_cpu_s / max(run.stages["decode_s"] + run.stages["classify_s"], 1e-9)
            bound = f" With {res.workers} cores doing nothing but its decode + classify, it would reach at most " \
                    f"{best:.2f}x fitparse alone (by CPU seconds)." if label != CORPUS_RUN else ""
            out += ["", f"stages of {label}: {run.seconds:.1f} s wall.{bound}", *stage_table(run, startup_s, res.workers)]
    if res.history.get("builds"):
        builds = [b for b in res.history["builds"] if "athlete-year" in b["label"]]
        if len(builds) > 1:
            out += ["", f"history build, --engine local: athlete-year 1 {builds[0]['seconds']:.1f} s, athlete-year "
                        f"{len(builds)} {builds[-1]['seconds']:.1f} s ({builds[-1]['seconds'] / builds[0]['seconds']:.2f}x)"]
    for module, lines in res.external.items():
        if lines:
            out += ["", f"figures from {module}:", *lines]
    out += [
        "",
        "CPU s: user + system seconds of the run's whole process tree; load: the 1-minute load average at its",
        "start (this machine is shared). Decode and classify are CPU seconds of the worker processes, summed",
        "over the parallel workers; the other stages are wall time in the CLI process. Peak RSS sums resident",
        "memory over the process tree, sampled every 0.2 s, so pages shared between processes count once per",
        "process.",
        "",
        "targets:",
        *Registry.from_rows(res.targets).table(),
    ]
    return out
