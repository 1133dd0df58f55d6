"""Nightly benchmark: a nightly run's cost must follow the new files, not the history.

    .venv/bin/python bench/nightly.py [--known 1000 100000] [--rounds 3] [--work DIR]
    .venv/bin/python bench/nightly.py --history [--athletes 6] [--days 365]

(1) *Known files.* Inboxes of 1,000 and 100,000 files that the database already knows (each a
distinct small file: distinct bytes, so distinct hashes, registered by a real run), then one new
FIT file: how much CPU a nightly run (``--engine local``) and the unchanged-inbox check
(:func:`hamflow.ingest.has_new_files`) cost on each, and the ratio between the sizes. The
files are known without being read, so what they hold does not matter; the real run
quarantines them, which makes them known like any other file.

(2) *History.* A nightly run adding one file per athlete to a database holding ``--athletes``
athlete-years, against the same run on a database holding one athlete's first month. The
athlete-years are generated (one seed per athlete, so no two files share bytes) into
``--work`` and reused.

Every figure is CPU seconds of this process (``time.process_time``: the local engine runs
everything here), the median of ``--rounds`` rounds, each on a fresh copy of the database; the
two sides of each ratio take turns round after round, so a machine whose speed drifts during
the measurement moves both alike.
:func:`measure_known` and :func:`measure_history` return a dict of figures for a caller
(``bench/backfill.py``) to print with its own.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from hamflow.ingest import IngestOptions, has_new_files, ingest  # noqa: E402
from hamflow.model.config_load import load_config  # noqa: E402

#: The issue's targets: 100x the known files costs at most 5x; 6 athlete-years at most 1.5x a month.
KNOWN_RATIO_TARGET = 5.0
HISTORY_RATIO_TARGET = 1.5
FILES_PER_FOLDER = 1000
CONFIG = load_config(None)
NIGHTLY = IngestOptions(settle_s=0.0)


def _copy_db(src: Path, dst: Path) -> Path:
    for suffix in ("", ".wal"):
        target = Path(f"{dst}{suffix}")
        target.unlink(missing_ok=True)
        if Path(f"{src}{suffix}").exists():
            shutil.copyfile(f"{src}{suffix}", target)
    return dst


def known_inbox(folder: Path, n: int) -> Path:
    """``n`` distinct small files under ``folder/ana/NNN/``, registered as known by a real run
    into ``folder/known.duckdb``; reused when already built."""
    db = folder / "known.duckdb"
    done = folder / "ready"
    if done.exists():
        return db
    shutil.rmtree(folder, ignore_errors=True)
    inbox = folder / "inbox"
    for i in range(n):
        sub = inbox / "ana" / f"{i // FILES_PER_FOLDER:04d}"
        if i % FILES_PER_FOLDER == 0:
            sub.mkdir(parents=True)
        (sub / f"known-{i:07d}.fit").write_bytes(b"not a FIT file, known to the database: %d\n" % i)
    ingest([str(inbox)], db, CONFIG, IngestOptions(settle_s=0.0, batch_size=n))
    done.touch()
    return db


def smallest_fit() -> Path:
    return min((ROOT / "sample_fit").rglob("*.fit"), key=lambda p: p.stat().st_size)


def nightly_round(folder: Path, db: Path, new: Sequence[Path]) -> tuple[float, float]:
    """CPU seconds of the unchanged-inbox check and of a whole local run that finds ``new``
    (copied into the inbox's athlete folders, removed afterwards) on a fresh copy of ``db``."""
    inbox = folder / "inbox"
    placed = []
    for src in new:
        dst = inbox / src.parent.name / "new" / src.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        placed.append(dst)
    try:
        work_db = _copy_db(db, folder / "round.duckdb")
        started = time.process_time()
        has_new_files([str(inbox)], work_db, CONFIG.archives)
        check = time.process_time() - started
        started = time.process_time()
        report = ingest([str(inbox)], work_db, CONFIG, NIGHTLY)
        run = time.process_time() - started
        assert report.counts.files_new == len(new), "the new files were not found"
    finally:
        for p in placed:
            p.unlink()
    return check, run


def side_by_side(sides: Mapping[str, tuple[Path, Path, Sequence[Path]]], rounds: int) -> dict[str, float]:
    """:func:`nightly_round` of each side (label -> folder, database, new files), the sides taking
    turns round after round, so a machine that speeds up or slows down during the measurement
    moves both alike: ``{label}_check_cpu_s`` and ``{label}_run_cpu_s``, each the median."""
    checks: dict[str, list[float]] = {label: [] for label in sides}
    runs: dict[str, list[float]] = {label: [] for label in sides}
    for _ in range(rounds):
        for label, (folder, db, new) in sides.items():
            check, run = nightly_round(folder, db, new)
            checks[label].append(check)
            runs[label].append(run)
    figures: dict[str, float] = {}
    for label in sides:
        figures[f"{label}_check_cpu_s"] = statistics.median(checks[label])
        figures[f"{label}_run_cpu_s"] = statistics.median(runs[label])
    return figures


def measure_known(work: Path, sizes: Sequence[int] = (1000, 100_000), rounds: int = 3) -> dict[str, float]:
    """Finding one new FIT file among ``sizes`` known ones: CPU seconds per size, the ratio of the
    largest to the smallest, and the CPU cost per known file."""
    new = [smallest_fit()]
    sides = {f"known_{n}": (work / f"known-{n}", known_inbox(work / f"known-{n}", n), new) for n in sizes}
    figures = side_by_side(sides, rounds)
    small, large = min(sizes), max(sizes)
    for key in ("check_cpu_s", "run_cpu_s"):
        a, b = figures[f"known_{small}_{key}"], figures[f"known_{large}_{key}"]
        figures[f"known_ratio_{key}"] = b / a
        figures[f"known_us_per_file_{key}"] = (b - a) / (large - small) * 1e6
    figures["known_ratio_target"] = KNOWN_RATIO_TARGET
    return figures


def athlete_years(work: Path, athletes: int, days: int, jobs: int = 2) -> list[Path]:
    """One generated athlete-year per athlete (``work/years/athNN/``), seeded apart; reused."""
    out = []
    for k in range(athletes):
        folder = work / "years" / f"ath{k:02d}"
        if not (folder / "ready").exists():
            shutil.rmtree(folder, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "samplegen", "--year", str(days), "--seed", str(1000 + k), "--out",
                            str(folder / "gen"), "--jobs", str(jobs), "--clean"], cwd=ROOT, check=True)
            (folder / "ready").touch()
        out.append(folder)
    return out


def _history_inbox(folder: Path, years: Sequence[Path], files_each: int | None) -> list[Path]:
    """Hard-link the first ``files_each`` files (all when None) of each athlete-year into
    ``folder/inbox/<athlete>/``; return each athlete's next file (the night's new one)."""
    inbox = folder / "inbox"
    shutil.rmtree(inbox, ignore_errors=True)
    tomorrow = []
    for year in years:
        files = sorted((year / "gen").rglob("*.fit"), key=lambda p: p.name)
        keep = files[:-1] if files_each is None else files[:files_each]
        dst = inbox / year.name
        dst.mkdir(parents=True)
        for src in keep:
            os.link(src, dst / f"{src.parent.name}-{src.name}")
        tomorrow.append(files[len(keep)])
    return tomorrow


def measure_history(work: Path, athletes: int = 6, days: int = 365, month: int = 30, rounds: int = 3) -> dict[str, float]:
    """A nightly run adding one file per athlete to a database of ``athletes`` athlete-years,
    against the same run on a database of one athlete's first ``month`` days."""
    years = athlete_years(work, athletes, days)
    sides: dict[str, tuple[Path, Path, Sequence[Path]]] = {}
    for label, held, files_each in (("month", years[:1], month), ("years", years, None)):
        folder = work / f"history-{label}-{athletes}x{days}"
        db = folder / "base.duckdb"
        new = _history_inbox(folder, held, files_each)
        new += [sorted((y / "gen").rglob("*.fit"), key=lambda p: p.name)[-1] for y in years[len(held):]]
        if not (folder / "ready").exists():
            db.unlink(missing_ok=True)
            ingest([str(folder / "inbox")], db, CONFIG, NIGHTLY)
            (folder / "ready").touch()
        renamed = [_as_athlete(p, y.name, folder) for p, y in zip(new, years, strict=True)]
        sides[f"history_{label}"] = (folder, db, renamed)
    figures = side_by_side(sides, rounds)
    figures["history_ratio_run_cpu_s"] = figures["history_years_run_cpu_s"] / figures["history_month_run_cpu_s"]
    figures["history_ratio_target"] = HISTORY_RATIO_TARGET
    return figures


def _as_athlete(path: Path, athlete: str, folder: Path) -> Path:
    """``path`` seen from a folder named for ``athlete`` under ``folder`` (nightly_cpu files a
    copy of it in that athlete's inbox folder)."""
    staged = folder / "staged" / athlete / f"{path.parent.name}-{path.name}"
    staged.parent.mkdir(parents=True, exist_ok=True)
    if not staged.exists():
        os.link(path, staged)
    return staged


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cli_nightly(inbox: Path, db: Path, env: dict[str, str], *extra: str) -> tuple[float, float]:
    """Wall and CPU seconds (the CLI and its worker processes; a running server's not included)
    of ``hamflow ingest INBOX --settle 0`` as a nightly job runs it."""
    cmd = [str(Path(sys.executable).parent / "hamflow"), "ingest", str(inbox), "--db", str(db), "--settle", "0", *extra]
    cpu = _children_cpu_s()
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return seconds, _children_cpu_s() - cpu


def measure_prefect(work: Path, api_url: str | None, rounds: int = 3) -> dict[str, float]:
    """A nightly run finding one new file through the CLI, ``--engine prefect`` against
    ``--engine local``, alternating, each on a fresh copy of a database holding the sample
    inbox: median wall seconds of each and the difference. ``api_url`` is a running Prefect
    server (as ``hamflow serve`` keeps one); None lets Prefect start its temporary server."""
    folder = work / "prefect"
    shutil.rmtree(folder, ignore_errors=True)
    samples = sorted((ROOT / "sample_fit").rglob("*.fit"))
    new, inbox = samples[-1], folder / "inbox"
    shutil.copytree(ROOT / "sample_fit", inbox)
    (inbox / new.relative_to(ROOT / "sample_fit")).unlink()
    base = folder / "base.duckdb"
    ingest([str(inbox)], base, CONFIG, NIGHTLY)
    shutil.copyfile(new, inbox / new.relative_to(ROOT / "sample_fit"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_URL")}
    env["PREFECT_HOME"] = str(folder / "prefect-home")
    if api_url:
        env["PREFECT_API_URL"] = api_url
    wall: dict[str, list[float]] = {"local": [], "prefect": []}
    cpu: dict[str, list[float]] = {"local": [], "prefect": []}
    for _ in range(rounds):
        for engine in wall:
            db = _copy_db(base, folder / f"{engine}.duckdb")
            seconds, cpu_s = _cli_nightly(inbox, db, env, "--engine", engine)
            wall[engine].append(seconds)
            cpu[engine].append(cpu_s)
    server = "server" if api_url else "temporary"
    figures = {f"prefect_{server}_{engine}_{kind}_s": statistics.median(runs[engine])
               for engine in wall for kind, runs in (("wall", wall), ("cpu", cpu))}
    for kind in ("wall", "cpu"):
        figures[f"prefect_{server}_added_{kind}_s"] = (figures[f"prefect_{server}_prefect_{kind}_s"]
                                                      - figures[f"prefect_{server}_local_{kind}_s"])
    return figures


def measure(work: Path, quick: bool, prefect_home: Path, skip: list[str]) -> dict[str, object]:
    """The bench harness's entry (``bench/external.py``): the three nightly targets as verdict
    rows, with every figure. The generated athlete-years and their databases are kept under
    ``build/`` and reused; the Prefect figure is taken against a server started first, as
    ``hamflow serve`` keeps one."""
    rounds = 1 if quick else 5  # medians of five turns each: a single slow turn moves no ratio
    figures: dict[str, object] = {}
    known = measure_known(work, sizes=(20, 200) if quick else (1000, 100_000), rounds=rounds)
    history = measure_history(ROOT / "build" / ("bench-nightly-quick" if quick else "bench-nightly"),
                              athletes=2 if quick else 6, days=2 if quick else 365, month=1 if quick else 30,
                              rounds=rounds)
    figures |= known | history
    figures["nightly run, 6 athlete-years vs a first month"] = {
        "value": history["history_ratio_run_cpu_s"], "threshold": HISTORY_RATIO_TARGET, "compare": "<=",
        "note": "CPU s of the nightly run, one new file per athlete"}
    figures["finding 1 new file among 100,000 known vs 1,000"] = {
        "value": known["known_ratio_run_cpu_s"], "threshold": KNOWN_RATIO_TARGET, "compare": "<=",
        "note": f"{known['known_us_per_file_run_cpu_s']:.1f} us CPU per known file"}
    added: dict[str, object] = {"value": None, "threshold": 3.0, "compare": "<=", "unit": "s",
                                "note": "not measured: skipped with the Prefect runs"}
    if "prefect" not in skip:
        from bench.clirun import running_prefect_server

        with running_prefect_server(prefect_home, work / "prefect-server.log") as url:
            prefect = measure_prefect(work, url, rounds)
        figures |= prefect
        added |= {"value": prefect["prefect_server_added_wall_s"], "note": f"{prefect['prefect_server_added_cpu_s']:.2f} CPU s"}
    figures["Prefect engine's extra seconds on a nightly run, server running"] = added
    return figures


def _print(figures: dict[str, float]) -> None:
    for key, value in figures.items():
        print(f"{key:<36} {value:10.4f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench-nightly")
    parser.add_argument("--known", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--history", action="store_true", help="measure the history target instead")
    parser.add_argument("--prefect", action="store_true",
                        help="measure what the Prefect engine adds to a nightly run (PREFECT_API_URL: a running server)")
    parser.add_argument("--athletes", type=int, default=6)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.prefect:
        _print(measure_prefect(args.work, os.environ.get("PREFECT_API_URL"), args.rounds))
    elif args.history:
        _print(measure_history(args.work, args.athletes, args.days, rounds=args.rounds))
    else:
        _print(measure_known(args.work, args.known, args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
