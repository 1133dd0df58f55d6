"""Render planned files to disk and write their manifest.

Rendering is independent per file, so it can fan out over processes for
large plans (the athlete-year); results are collected in plan order, so
the output does not depend on the number of workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from .broken import CORRUPTORS
from .encode import render_workout
from .manifest import MANIFEST_NAME, manifest_entry, manifest_text
from .month import DEFAULT_SEED, build_month
from .plan import PlannedFile


def render_file(item: PlannedFile) -> tuple[bytes, int]:
    """The bytes of a planned file (damaged if planned so) and its record count."""
    rendered = render_workout(item.spec)
    if item.broken is None:
        return rendered.data, rendered.records
    return CORRUPTORS[item.broken](rendered.data, item.spec), rendered.records


def write_files(
    files: Sequence[PlannedFile], out_dir: Path, seed: int | None = None, jobs: int = 1
) -> list[dict[str, Any]]:
    """Write every planned file under ``out_dir`` plus ``manifest.json``; return the entries."""
    out_dir = Path(out_dir)
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(render_file, files, chunksize=4))
    else:
        results = [render_file(item) for item in files]
    entries = []
    for item, (data, records) in zip(files, results, strict=False):
        path = out_dir / item.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        entries.append(manifest_entry(item, records))
    (out_dir / MANIFEST_NAME).write_text(manifest_text(entries, seed))
    return entries


def generate_month(out_dir: Path, seed: int = DEFAULT_SEED, jobs: int = 1) -> list[dict[str, Any]]:
    """Write the sample month (both athletes, broken files, manifest) to ``out_dir``."""
    return write_files(build_month(seed), out_dir, seed, jobs)


def stray_files(files: Sequence[PlannedFile], out_dir: Path) -> list[Path]:
    """Files under ``out_dir`` the plan did not produce (left over from older plans)."""
    wanted = {Path(out_dir) / f.relpath for f in files} | {Path(out_dir) / MANIFEST_NAME}
    return sorted(p for p in Path(out_dir).rglob("*") if p.is_file() and p not in wanted)
