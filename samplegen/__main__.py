"""Command line: ``python -m samplegen --out sample_fit [--seed N]``.

By default it writes the committed sample month.  ``--year N`` writes an
athlete-year of N daily one-hour workouts instead (for benchmarks; not
committed).  Files the plan did not produce are reported, and removed with
``--clean``, so a regenerated folder matches its manifest exactly.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .catalog import ATHLETES
from .generate import stray_files, write_files
from .month import DEFAULT_SEED, build_month
from .year import athlete_year


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m samplegen",
        description="Write seeded sample FIT files (the sample month or an athlete-year) and a manifest.",
    )
    parser.add_argument("--out", type=Path, default=Path("sample_fit"), help="output folder")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"plan seed (default: {DEFAULT_SEED})")
    parser.add_argument("--year", type=int, metavar="N", help="write N daily workouts, not the sample month")
    parser.add_argument("--athlete", choices=sorted(ATHLETES), default="ana", help="athlete for --year")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (output is identical)")
    parser.add_argument("--clean", action="store_true", help="delete files the plan did not produce")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    files = athlete_year(args.seed, args.year, ATHLETES[args.athlete]) if args.year else build_month(args.seed)
    started = time.perf_counter()
    entries = write_files(files, args.out, args.seed, args.jobs)
    elapsed = time.perf_counter() - started
    records = sum(e["records"] or 0 for e in entries)
    print(f"wrote {len(entries)} files ({records} records) to {args.out} in {elapsed:.1f} s")
    for path in stray_files(files, args.out):
        if args.clean:
            path.unlink()
            print(f"removed stray file {path}")
        else:
            print(f"warning: {path} is not part of the plan (use --clean to remove)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
