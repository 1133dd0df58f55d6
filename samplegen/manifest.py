"""The manifest: ground truth for every generated file, as stable JSON.

Tests and analysis checks compare decoded results against it, so it lists
what each file is meant to be (kind, sport, local offset, expected
classification) rather than anything measured from the file afterwards,
except the record count.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import garmin_fit_sdk

from .catalog import kind_info
from .plan import PlannedFile

MANIFEST_NAME = "manifest.json"


def manifest_entry(item: PlannedFile, records: int | None) -> dict[str, Any]:
    """Describe one file.

    For a broken file the recording fields describe the workout it should
    have held, while ``expected_class``/``expected_sprint_session`` are
    null/false because an ingest must drop it.
    """
    spec = item.spec
    info = kind_info(spec.kind)
    sport, sub_sport = spec.profile or (info.sport, info.sub_sport)
    good = item.broken is None
    return {
        "path": item.relpath,
        "athlete": spec.athlete.name,
        "kind": spec.kind,
        "sport": sport,
        "sub_sport": sub_sport,
        "start_utc": spec.start_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tz": spec.athlete.tz,
        "utc_offset_min": spec.utc_offset_s(spec.end_utc) // 60,  # as activity.local_timestamp gives it
        "broken": item.broken,
        "expected_class": info.expected_class if good else None,
        "expected_sprint_session": info.sprint_session and good,
        "records": records if good else None,
    }


def manifest_text(entries: Sequence[dict[str, Any]], seed: int | None) -> str:
    """Serialise deterministically: entries sorted by path, keys sorted, newline-terminated.

    The FIT SDK version is recorded because the encoder writes its profile
    version into every file header: another SDK release means other bytes.
    """
    doc = {
        "seed": seed,
        "fit_sdk": garmin_fit_sdk.__version__,
        "files": sorted(entries, key=lambda e: e["path"]),
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def load_manifest(folder: Path) -> dict[str, Any]:
    return json.loads((Path(folder) / MANIFEST_NAME).read_text())
