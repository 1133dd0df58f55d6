"""The benchmark harness (bench/backfill.py) in its --quick mode: what it reports, not how fast.

The quick run ingests a few generated files and a handful of corpus files with the local engine
(the Prefect and Dask runs are left out here; tests/pipelines runs those paths), builds a small
history, and must still list every target: measured ones with a verdict, the others saying why
they were not measured. Speed is never asserted.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import textwrap
from pathlib import Path

import pytest

from bench.backfill import EXTERNAL, main
from bench.external import Context, add_targets, call_measure
from bench.report import Results, targets
from bench.targets import Registry
from tests.corpus import corpus_root

#: A readable activity, a truncated one fitparse stops on, and a settings file: each kind the
#: corpus figures treat differently (baseline, fast-path share).
CORPUS_FILES = ("fitparse/activity-small-fenix2-run.fit", "fitparse/activity-unexpected-eof.fit", "fitparse/Settings.fit")


def every_target_name() -> list[str]:
    empty = Results("", "", 0, 0, None, 0, 0, 0, 0, 1.0, 0.0, 0.0, [])
    return [*targets(empty).names(), *(name for names in EXTERNAL.values() for name in names)]


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_the_quick_run_lists_every_target_with_a_verdict_or_why_it_was_not_measured(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inbox = tmp_path / "corpus"
    for rel in CORPUS_FILES:
        (inbox / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(corpus_root() / rel, inbox / rel)
    before = digest(inbox)
    work = tmp_path / "work"

    assert main(["--quick", "--work", str(work), "--corpus", str(inbox), "--skip", "prefect", "--skip", "dask"]) == 0

    printed = capsys.readouterr().out.split("\ntargets:\n", 1)[1].splitlines()
    saved = {row["name"]: row for row in json.loads((work / "results.json").read_text())["targets"]}
    assert sorted(saved) == sorted(every_target_name())
    for name in every_target_name():
        assert sum(line.startswith(name) for line in printed) == 1, name
    measured = {name for name, row in saved.items() if row["value"] is not None}
    assert measured == {
        "athlete-year, --engine local", "corpus activity files on the fast path", "samples on disk, bytes per row",
        "classify CPU per fast-decoder CPU",
        "peak memory of the process tree",
        "weeks of one athlete, several athlete-years vs its first month",
        "report of one athlete, several athlete-years vs its first month",
        "reprocess of one athlete, several athlete-years vs its first month",
        "nightly run, 6 athlete-years vs a first month", "finding 1 new file among 100,000 known vs 1,000",
        *EXTERNAL["bench.exports"],
    }
    assert saved["export again with nothing changed: partitions written"]["value"] == 0
    for name, row in saved.items():
        if name in measured:
            assert row["holds"] in (True, False) and row["value"] >= 0, row
        else:
            assert row["holds"] is None and "not measured" in str(row["note"]), row
    # Two of the three corpus files are activities; the run never touches its inbox.
    assert "of 2" in saved["corpus activity files on the fast path"]["note"]
    assert digest(inbox) == before


def context(tmp_path: Path) -> Context:
    return Context(tmp_path, True, tmp_path / "h.duckdb", tmp_path / "m.duckdb", [], tmp_path, tmp_path, {})


def test_a_missing_measurement_module_leaves_its_targets_listed_as_not_measured(tmp_path: Path) -> None:
    registry = Registry()
    ext = call_measure("bench_module_that_does_not_exist", context(tmp_path))
    assert add_targets(registry, ext, ["nightly flat"]) == []
    (row,) = registry.rows()
    assert row["name"] == "nightly flat" and row["value"] is None and row["note"] == "not measured: module missing"


def test_a_measurement_module_is_given_what_it_asks_for_and_its_verdicts_become_targets(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bench_probe_module.py").write_text(textwrap.dedent("""
        def measure(work, quick):
            return {"flat": {"value": 1.2, "threshold": 1.5, "compare": "<=", "unit": "x"}, "known files": 1000,
                    "work given": str(work), "quick given": quick}
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = Registry()
    lines = add_targets(registry, call_measure("bench_probe_module", context(tmp_path)), ["expected name"])
    assert [(t.name, t.value, t.holds) for t in registry] == [("flat", 1.2, True)]
    assert lines == ["  known files: 1000", f"  work given: {tmp_path}", "  quick given: True"]


def test_a_measurement_module_that_fails_says_so_in_its_targets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bench_failing_module.py").write_text("def measure(work):\n    raise RuntimeError('no server')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = Registry()
    add_targets(registry, call_measure("bench_failing_module", context(tmp_path)), ["a", "b"])
    assert [t.note for t in registry] == ["not measured: bench_failing_module.measure failed: RuntimeError: no server"] * 2
