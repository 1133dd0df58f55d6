from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from hamflow.fit import FitResult, read_fit
from hamflow.model import DEFAULT_CONFIG, ClassifiedSession, classify_file

SAMPLE = Path(__file__).resolve().parents[2] / "sample_fit"


@dataclass(frozen=True)
class SampleFile:
    entry: dict
    result: FitResult
    classified: list[ClassifiedSession]


@pytest.fixture(scope="session")
def manifest() -> dict:
    return json.loads((SAMPLE / "manifest.json").read_text())


@pytest.fixture(scope="session")
def month(manifest: dict) -> dict[str, SampleFile]:
    """Every sound file of the sample month, decoded and classified once with the defaults."""
    out = {}
    for entry in manifest["files"]:
        if entry["broken"]:
            continue
        result = read_fit(SAMPLE / entry["path"])
        out[entry["path"]] = SampleFile(entry, result, classify_file(result, athlete_id=entry["athlete"], config=DEFAULT_CONFIG))
    return out
