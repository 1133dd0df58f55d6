"""Where the time goes inside an ingest: cProfile of the decode + classify step and of the write path.

    .venv/bin/python bench/profiling.py [FOLDER] [--files 60] [--top 15]

Runs the run loop in this process (the local engine) over the first files of FOLDER (default the
athlete-year, build/bench-year) into a fresh database, with one profiler switched on only while
a batch is prepared (what a decode worker does: read, decode, classify, shape rows) and another
only while a batch is written (what the CLI process does: the write transaction, the weekly
refresh). Prints the top functions of each by their own time, and by time including callees.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.year import fit_files, half_year  # noqa: E402
from hamflow.fit.reader import resolve_decoder  # noqa: E402
from hamflow.ingest.files import Candidate  # noqa: E402
from hamflow.ingest.run import IngestOptions, LocalEngine, run  # noqa: E402
from hamflow.model import HamflowConfig as Config  # noqa: E402
from hamflow.model.thresholds import PriorThresholds  # noqa: E402
from hamflow.store.prepared import PreparedFile  # noqa: E402
from hamflow.store.writer import WriteResult  # noqa: E402


class ProfiledEngine(LocalEngine):
    """The local engine with a profiler around each prepare and each write, nothing else."""

    def __init__(self) -> None:
        super().__init__(threads=1)  # a profiler sees only its own thread: prepare here, in this one
        self.prepare_profile = cProfile.Profile()
        self.write_profile = cProfile.Profile()

    def prepare(self, work: list[list[Candidate]], config: Config, options: IngestOptions,
                priors: PriorThresholds | None = None, handoff: str | None = None) -> Iterator[list[PreparedFile]]:
        batches = super().prepare(work, config, options, priors, handoff)
        while True:
            self.prepare_profile.enable()
            try:
                batch = next(batches, None)
            finally:
                self.prepare_profile.disable()
            if batch is None:
                return
            yield batch

    def write(self, db_path: str, prepared: list[PreparedFile], run_id: str, config: Config) -> WriteResult:
        self.write_profile.enable()
        try:
            return super().write(db_path, prepared, run_id, config)
        finally:
            self.write_profile.disable()


def top(profile: cProfile.Profile, sort: str, n: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.strip_dirs().sort_stats(sort).print_stats(n)
    # pstats' header (the totals line) and the table, without its blank preamble.
    return "\n".join(line for line in out.getvalue().splitlines() if line.strip())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "build" / "bench-year")
    parser.add_argument("--files", type=int, default=60, help="the first N files of the folder, by name")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    if not fit_files(args.folder):
        raise SystemExit(f"no FIT files under {args.folder} (make bench generates build/bench-year)")
    engine = ProfiledEngine()
    with tempfile.TemporaryDirectory() as tmp:
        subset = half_year(args.folder, Path(tmp) / "files", args.files)
        report = run([str(subset)], str(Path(tmp) / "profile.duckdb"), Config(), IngestOptions(settle_s=0.0), engine=engine)
    print(f"{report.counts.files_new} files, decoder {resolve_decoder()} (HAMFLOW_DECODER picks another)")
    for title, profile in (("decode + classify (a worker's prepare)", engine.prepare_profile),
                           ("write path (the CLI process's write transactions)", engine.write_profile)):
        for sort in ("tottime", "cumulative"):
            print(f"\n== {title}, by {sort}\n{top(profile, sort, args.top)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
