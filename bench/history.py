"""A database holding several athlete-years, for the targets that say "flat in history".

Whether a command's cost grows with the history in the database is measured on two databases
that hold the same *probe* athlete (the first month of a generated year):

- ``month.duckdb``: the probe athlete's month alone, a new user's database;
- ``history.duckdb``: the same month plus N other athletes' whole years (N = 6 by default).

The years are generated with samplegen (seeds one apart, each its own athlete) and ingested with
``--engine local`` one athlete-year at a time. Both the files and the databases are kept in
``build/bench-history`` and reused while their stamp matches: the plan (athletes, days, seed)
and the sources that decide what a database holds (``hamflow/`` and ``sql/``). Commands that
change a database run on a copy.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.clirun import ROOT, CliRun, run_cli, run_hamflow
from bench.year import ensure_year, fit_files, half_year

PROBE = "probe"
STAMP = "stamp.json"


@dataclass(frozen=True)
class HistoryPlan:
    athletes: int
    days: int
    seed: int
    probe_days: int

    def athlete(self, k: int) -> str:
        return f"athlete-{k}"


@dataclass
class History:
    """The two databases (never to be changed in place) and the athlete-years behind them."""

    plan: HistoryPlan
    month_db: Path
    history_db: Path
    years: list[Path]
    probe: Path
    builds: list[CliRun] = field(default_factory=list)  # empty when reused


def sources_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted([*(ROOT / "hamflow").rglob("*.py"), *(ROOT / "sql").rglob("*.sql")]):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def ensure_history(root: Path, plan: HistoryPlan, env: dict[str, str], jobs: int) -> History:
    """Generate the years and build both databases, unless what is in ``root`` matches ``plan``."""
    years = [root / "years" / f"y{k}" for k in range(1, plan.athletes + 1)]
    for k, folder in enumerate(years, start=1):
        ensure_year(folder, plan.seed + k, plan.days, jobs)
    probe = half_year(years[0], root / "probe", plan.probe_days)
    history = History(plan, root / "month.duckdb", root / "history.duckdb", years, probe)
    stamp = {"plan": asdict(plan), "sources": sources_digest()}
    stamp_path = root / STAMP
    if stamp_path.exists() and json.loads(stamp_path.read_text()) == stamp and history.history_db.exists() \
            and history.month_db.exists():
        print(f"history: reusing {root} (matches its stamp)", flush=True)
        return history
    stamp_path.unlink(missing_ok=True)
    for db in (history.month_db, history.history_db):
        db.unlink(missing_ok=True)
    building = root / "building.duckdb"
    building.unlink(missing_ok=True)
    history.builds.append(run_cli(f"history: {PROBE}'s first month", probe, building, env, plan.probe_days,
                                  "--engine", "local", "--athlete", PROBE))
    shutil.copy2(building, history.month_db)
    for k, folder in enumerate(years, start=1):
        print(f"history: athlete-year {k} of {plan.athletes} ...", flush=True)
        history.builds.append(run_cli(f"history: athlete-year {k}", folder, building, env, len(fit_files(folder)),
                                      "--engine", "local", "--athlete", plan.athlete(k)))
    building.rename(history.history_db)
    stamp_path.write_text(json.dumps(stamp, indent=2) + "\n")
    return history


#: One athlete's everyday commands; each should cost the same whatever else the database holds.
READS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("weeks", ("weeks", "--athlete", PROBE)),
    ("report", ("report", "--athlete", PROBE)),
    ("reprocess", ("reprocess", "--athlete", PROBE)),
)


@dataclass(frozen=True)
class ReadCost:
    command: str
    month_s: float
    history_s: float

    @property
    def ratio(self) -> float:
        return self.history_s / self.month_s


def one_athlete_costs(history: History, work: Path, env: dict[str, str], rounds: int = 2) -> list[ReadCost]:
    """Each command of :data:`READS` for the probe athlete on a copy of each database, best of ``rounds``."""
    costs = []
    for name, args in READS:
        best: dict[str, float] = {}
        for label, source in (("month", history.month_db), ("history", history.history_db)):
            for _ in range(rounds):
                db = work / f"{label}-{name}.duckdb"
                shutil.copy2(source, db)
                extra = ("--out", str(work / f"{label}-report.html")) if name == "report" else ()
                run = run_hamflow(f"{name}, {label}", [*args, "--db", str(db), *extra], env)
                best[label] = min(best.get(label, run.seconds), run.seconds)
                db.unlink()
        costs.append(ReadCost(name, best["month"], best["history"]))
    return costs
