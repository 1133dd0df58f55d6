"""Seeded athlete-years of generated FIT files, made once and reused while they match their manifest.

``python -m samplegen --year N --seed S`` writes N daily one-hour workouts; generating a year
takes about half a minute on 2 cores, so a folder is regenerated only when its manifest does not
match the plan (another seed, length or FIT SDK version, or a file missing).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # samplegen is a folder of this repository, not an installed package

from samplegen.catalog import ATHLETES  # noqa: E402
from samplegen.manifest import MANIFEST_NAME  # noqa: E402
from samplegen.year import athlete_year  # noqa: E402


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

