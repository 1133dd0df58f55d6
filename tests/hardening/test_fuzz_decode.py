"""The decoder under fire: a thousand seeded mutations of real FIT files.

Every input goes through ``read_fit`` (the default decoder, whatever ``HAMFLOW_DECODER`` unset
selects, native code included) in a worker process with a budget of 6 s of CPU time (not wall
time: the verdict does not depend on what else the machine is doing) and an address-space
limit. Each must end in a result that keeps the decoder's contract or a ``FitDecodeError`` with a
known reason and a one-line detail (see ``checks.py``): never another exception ("escaped"), a
broken contract ("fail"), a hang ("timeout", after one retry) or a crash of the worker ("died").

Environment variables:

``HAMFLOW_FUZZ_CASES``
    How many mutated inputs (default 1000, about 15 s on two cores).
``HAMFLOW_FUZZ_SEED``
    Seed of the mutators (default 20261124). The same seed gives the same bytes on every
    machine; a failure message names it, so a failure can be reproduced exactly.
``HAMFLOW_FUZZ_SAVE``
    Folder for the bytes of failing inputs (default: a fresh pytest temporary folder, printed in
    the failure message). Copy them into ``tests/hardening/regressions/`` to keep them:
    :func:`test_regression_inputs_keep_the_contract` decodes every file there on every run
    (``regressions/open/`` holds inputs of bugs not fixed yet, see its README).

The 6 s budget covers the reference re-decode of results of the optional fast decoder too.
"""

from __future__ import annotations

import functools
import os
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from ..fitbytes import small_activity
from .checks import MAX_RSS_KB, check_decode
from .fitfuzz import mutants
from .pool import Outcome, run_checks

CASES = int(os.environ.get("HAMFLOW_FUZZ_CASES", "1000"))
SEED = int(os.environ.get("HAMFLOW_FUZZ_SEED", "20261124"))
#: CPU seconds one input may take (see pool.py): what tells a hang from slow work. The slowest
#: known input (regressions/pinned-many-sessions-4000.fit, decoded twice: fast path and
#: reference) takes about 1.3 s on an idle machine, and CPU time too grows when two processes
#: share a core's caches; at 2 s it ran out on a loaded machine. Over four times that leaves no doubt.
CPU_BUDGET_S = 6.0
#: How far one small input may raise a worker's peak resident memory.
MAX_RSS_GROWTH_KB = 256 * 1024
REGRESSIONS = Path(__file__).parent / "regressions"
OPEN = REGRESSIONS / "open"  # inputs of known, unfixed decoder bugs: expected failures
GOOD = ("ok", "error")


def decode_all(jobs: Sequence[tuple[str, bytes]], scratch: Path) -> list[Outcome]:
    check = functools.partial(check_decode, scratch=str(scratch))
    return run_checks(check, jobs, cpu_budget_s=CPU_BUDGET_S, warmup=small_activity(5))


def fast_decoder_is_default() -> bool:
    """Whether ``read_fit`` tries the optional native decoder first in this environment."""
    if os.environ.get("HAMFLOW_DECODER", "auto").strip().lower() == "fitparse":
        return False
    try:
        import fitfast  # noqa: F401
    except ImportError:
        return False
    return True


def kind_of(name: str) -> str:
    """'00042|corpus/x.fit|header.data_size|17' -> 'header'."""
    return name.split("|")[2].split(".")[0]


def save_failures(bad: list[Outcome], data: dict[str, bytes], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for o in bad:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", o.name)
        (folder / f"seed{SEED}-{safe}.fit").write_bytes(data[o.name])
    return folder


def failure_message(bad: list[Outcome], folder: Path, what: str) -> str:
    lines = [f"{len(bad)} of the {what} broke the decoder's contract (HAMFLOW_FUZZ_SEED={SEED}, "
             f"HAMFLOW_FUZZ_CASES={CASES}); their bytes are in {folder}:"]
    lines += [f"  {o.verdict:8} {o.name}: {o.detail[:300]}" for o in bad[:25]]
    if len(bad) > 25:
        lines.append(f"  ... and {len(bad) - 25} more")
    lines.append("Copy the files into tests/hardening/regressions/ to keep them as regression inputs.")
    return "\n".join(lines)


@pytest.mark.slow
def test_decoder_contract_on_mutated_inputs(fuzz_seeds: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> None:
    cases = mutants(fuzz_seeds, CASES, SEED)
    assert len(cases) == CASES
    jobs = [(f"{i:05d}|{c.name}", c.data) for i, c in enumerate(cases)]
    data = dict(jobs)
    outcomes = decode_all(jobs, tmp_path_factory.mktemp("fuzz-scratch"))

    # Every case reported exactly once.
    assert sorted(o.name for o in outcomes) == sorted(data)
    bad = sorted((o for o in outcomes if o.verdict not in GOOD), key=lambda o: o.name)
    if bad:
        target = Path(os.environ["HAMFLOW_FUZZ_SAVE"]) if os.environ.get("HAMFLOW_FUZZ_SAVE") else tmp_path_factory.mktemp("fuzz-failures")
        pytest.fail(failure_message(bad, save_failures(bad, data, target), f"{CASES} mutated inputs"), pytrace=False)

    # Memory stays bounded: no small input makes a worker allocate by a declared size.
    peak = max(outcomes, key=lambda o: o.max_rss_kb)
    growth = max(outcomes, key=lambda o: o.rss_growth_kb)
    verdicts = Counter(o.verdict for o in outcomes)
    statuses = Counter(o.detail.split()[0] for o in outcomes if o.verdict == "ok")
    decoders = Counter(o.detail.split()[-1] for o in outcomes if o.verdict == "ok")
    reasons = Counter(o.detail for o in outcomes if o.verdict == "error")
    slowest = max(outcomes, key=lambda o: o.cpu_seconds)
    print(f"\nfuzz seed {SEED}: {CASES} cases, {dict(verdicts)}; ok statuses {dict(statuses)}; "
          f"error reasons {dict(reasons.most_common())}; results by decoder {dict(decoders)}; max RSS {peak.max_rss_kb // 1024} MiB; "
          f"largest growth {growth.rss_growth_kb // 1024} MiB ({growth.name}); slowest {slowest.cpu_seconds:.2f} s of CPU ({slowest.name})")
    assert peak.max_rss_kb < MAX_RSS_KB, f"a worker reached {peak.max_rss_kb // 1024} MiB on {peak.name}"
    assert growth.rss_growth_kb < MAX_RSS_GROWTH_KB, f"{growth.name} raised a worker's memory by {growth.rss_growth_kb // 1024} MiB"

    # The mix is meaningful: mutators that did nothing, or broke everything, cannot pass.
    n = len(outcomes)
    assert 0.25 * n <= verdicts["ok"] <= 0.85 * n, verdicts
    assert verdicts["error"] >= 0.15 * n, verdicts
    assert set(statuses) == {"ok", "truncated", "crc_mismatch"}, statuses  # salvage paths were reached
    if fast_decoder_is_default():  # the native decoder took part: it read every input first
        assert decoders["fitfast"] >= 0.05 * verdicts["ok"], decoders
    assert len(reasons) >= 6 and reasons.most_common(1)[0][1] <= 0.7 * verdicts["error"], reasons
    by_kind: dict[str, Counter[str]] = {}
    for o in outcomes:
        by_kind.setdefault(kind_of(o.name), Counter())[o.verdict] += 1
    unchanged: Counter[str] = Counter(kind_of(name) for name, b in jobs if b == fuzz_seeds[name.split("|")[1]])
    assert set(by_kind) >= {"truncate", "bitflip", "header", "definition", "values", "splice", "random", "crop"}, by_kind
    for kind, tally in by_kind.items():
        total = sum(tally.values())
        assert unchanged[kind] <= 0.1 * total, f"{kind}: {unchanged[kind]} of {total} inputs are their seed unchanged"
        if total < 20:
            continue
        if kind in ("truncate", "header", "definition", "random"):  # meant to break files
            assert tally["error"] >= 0.1 * total, (kind, tally)
        elif kind in ("values", "crop"):  # meant to decode and carry odd content further
            assert tally["ok"] >= 0.8 * total, (kind, tally)
        else:
            assert tally["ok"] and tally["error"], (kind, tally)


def test_regression_inputs_keep_the_contract(tmp_path: Path) -> None:
    """Every input in regressions/ (pinned edge cases and fuzz finds) keeps the contract."""
    files = sorted(p for p in REGRESSIONS.iterdir() if p.is_file() and p.suffix.lower() == ".fit")
    assert len(files) >= 5, "tests/hardening/regressions/ holds the pinned inputs"
    data = {p.name: p.read_bytes() for p in files}
    outcomes = decode_all(list(data.items()), tmp_path)
    assert sorted(o.name for o in outcomes) == sorted(data)
    bad = [o for o in outcomes if o.verdict not in GOOD]
    assert not bad, failure_message(bad, REGRESSIONS, "regression inputs")


def test_open_decoder_bugs_still_break_the_contract(tmp_path: Path) -> None:
    """Inputs of known, unfixed decoder bugs (regressions/open/) must still fail: one that
    passes has been fixed and belongs in regressions/, where it must keep passing."""
    data = {p.name: p.read_bytes() for p in sorted(OPEN.glob("*.fit"))}
    outcomes = decode_all(list(data.items()), tmp_path) if data else []
    fixed = sorted(o.name for o in outcomes if o.verdict in GOOD)
    assert not fixed, f"fixed: move {fixed} from {OPEN} to {REGRESSIONS}"
