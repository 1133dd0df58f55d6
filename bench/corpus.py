"""The real corpus end to end, and the share of its activity files the fast decoder reads.

The corpus (real devices, some files deliberately corrupt) is given to ``hamflow ingest`` as an
inbox, as it lies, with its folders as athletes; the baseline is fitparse alone over the files it
can read. Which decoder read each file is stored in ``fit_files.decoder``, so the fast path's
share is counted from the database the run wrote, not re-derived.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench.baseline import Baseline, fitparse_alone
from bench.clirun import ROOT, CliRun, run_cli

FAST_DECODER = "fitfast"


def corpus_root() -> Path:
    """``../shared/fit_corpus`` beside the repository, or ``$HAMFLOW_CORPUS`` (as the tests find it)."""
    return Path(os.environ.get("HAMFLOW_CORPUS", ROOT.parent / "shared" / "fit_corpus"))


def corpus_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() == ".fit")


@dataclass
class CorpusResult:
    folder: str
    files: int
    baseline: Baseline
    run: CliRun
    activity_files: int
    fast_activity_files: int

    @property
    def ratio(self) -> float:
        """Records per second of the ingest over those of fitparse alone, on the readable files."""
        return self.baseline.seconds / self.run.seconds

    @property
    def fast_share(self) -> float:
        return self.fast_activity_files / self.activity_files if self.activity_files else 0.0


def decoders_of_activity_files(db: Path) -> tuple[int, int]:
    """(activity files, of them read by the fast decoder), one row per distinct file content."""
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("SELECT count(*), count(*) FILTER (WHERE decoder = ?) FROM fit_files WHERE file_type = 'activity'",
                          [FAST_DECODER]).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def measure_corpus(label: str, folder: Path, db: Path, env: dict[str, str], *extra: str) -> CorpusResult:
    files = corpus_files(folder)
    if not files:
        raise SystemExit(f"no FIT files under {folder} (set HAMFLOW_CORPUS or pass --corpus)")
    print(f"corpus: fitparse alone over {len(files)} files ...", flush=True)
    baseline = fitparse_alone(files)
    print("corpus: hamflow ingest ...", flush=True)
    run = run_cli(label, folder, db, env, len(files), *extra)
    activity, fast = decoders_of_activity_files(db)
    return CorpusResult(str(folder), len(files), baseline, run, activity, fast)
