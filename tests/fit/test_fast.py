"""The fast decoder (fitfast) gives fitparse's result exactly, or leaves the file to fitparse."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import duckdb
import fitfast  # noqa: F401 - installed by the dev extra: without it these tests fail, not skip
import pytest
from polars.testing import assert_frame_equal

from hamflow.fit import DecoderUnavailable, FitDecodeError, FitResult, decode_fit_bytes, decoder_version, fast, read_fit
from hamflow.fit.reader import _Collector, try_fast_decode

from ..corpus import CorpusFile, corpus_root
from ..helpers import SAMPLES, manifest, sample

#: FitResult fields that are not part of the decoded content.
_NOT_CONTENT = {"decoder"}


def assert_same_result(fast_result: FitResult, reference: FitResult) -> None:
    """Every content field equal; record frames equal value for value, dtype for dtype."""
    assert fast_result.decoder == "fitfast"
    for f in dataclasses.fields(FitResult):
        if f.name in _NOT_CONTENT or f.name == "sessions":
            continue
        assert getattr(fast_result, f.name) == getattr(reference, f.name), f.name
    assert len(fast_result.sessions) == len(reference.sessions)
    for ours, theirs in zip(fast_result.sessions, reference.sessions, strict=False):
        for f in dataclasses.fields(ours):
            if f.name != "records":
                assert getattr(ours, f.name) == getattr(theirs, f.name), f.name
        assert_frame_equal(ours.records, theirs.records, check_exact=True)


def why_declined(data: bytes) -> str:
    return fast.decline_reason(data, _Collector(keep_positions=False)) or "no data"


def test_corpus_fast_path_equals_fitparse(corpus: dict[str, CorpusFile]) -> None:
    """On every corpus file the fast path either declines or matches the reference exactly."""
    taken: list[str] = []
    declined: dict[str, str] = {}
    for rel, reference in corpus.items():
        path = corpus_root() / rel
        data = path.read_bytes()
        result = try_fast_decode(data, path=str(path))
        if result is None:
            declined[rel] = why_declined(data) if len(data) >= 12 else "too short"
            continue
        assert isinstance(reference.outcome, FitResult), (rel, reference.outcome)
        assert reference.outcome.decoder == "fitparse", rel
        try:
            assert_same_result(result, reference.outcome)
        except AssertionError as exc:
            raise AssertionError(f"{rel}: {exc}") from exc
        taken.append(rel)
    summary = "\n".join(f"  {rel}: {why}" for rel, why in sorted(declined.items()))
    print(f"\nfast path: {len(taken)} of {len(corpus)} corpus files; declined:\n{summary}")
    # Only sound files can take the fast path; at least 95 % of activity files (a session or
    # records, broken ones included) do.
    decoded = {r: c.outcome for r, c in corpus.items() if isinstance(c.outcome, FitResult)}
    sound = {r for r, outcome in decoded.items() if outcome.status == "ok"}
    activities = {r for r, outcome in decoded.items() if outcome.is_activity}
    assert set(taken) <= sound
    assert len(set(taken) & activities) >= 0.95 * len(activities), summary


def test_every_sound_sample_takes_the_fast_path_and_equals_fitparse() -> None:
    """The sample month is what watches write day to day: all of it should be fast."""
    for entry in manifest():
        path = SAMPLES / entry["path"]
        data = path.read_bytes()
        result = try_fast_decode(data, path=str(path))
        if entry["broken"]:
            assert result is None, entry["path"]
            continue
        assert result is not None, (entry["path"], why_declined(data))
        assert_same_result(result, read_fit(path, decoder="fitparse"))


@pytest.mark.parametrize("path", [sample("easy_run"), corpus_root() / "elevate/20171011_run_2088390344.fit"])
def test_positions_match_when_kept(path: Path) -> None:
    result = try_fast_decode(path.read_bytes(), path=str(path), keep_positions=True)
    assert result is not None
    assert result.sessions[0].records["lat_deg"].null_count() < result.sessions[0].records.height
    assert_same_result(result, read_fit(path, keep_positions=True, decoder="fitparse"))


def test_broken_files_fall_back_to_fitparse() -> None:
    result = read_fit(corpus_root() / "fitparse/activity-filecrc.fit", decoder="auto")
    assert result.decoder == "fitparse"
    assert result.status == "crc_mismatch"
    for name in ("empty_file", "not_fit"):
        broken = next(e for e in manifest() if e["broken"] == name)
        with pytest.raises(FitDecodeError) as info:
            read_fit(SAMPLES / broken["path"], decoder="fitfast")
        assert info.value.reason == name


class _Panic(BaseException):
    """Stands in for pyo3's PanicException, which derives from BaseException."""


_Panic.__name__ = "PanicException"


def test_a_fitfast_panic_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    def panic(*args: object, **kwargs: object) -> None:
        raise _Panic("attempt to calculate the remainder with a divisor of zero")

    monkeypatch.setattr(fast.fitfast, "records", panic)
    monkeypatch.setattr(fast.fitfast, "parse", panic)
    data = sample("easy_run").read_bytes()
    assert try_fast_decode(data) is None
    assert decode_fit_bytes(data).decoder == "fitparse"


def test_fields_of_no_base_type_never_reach_fitfast(monkeypatch: pytest.MonkeyPatch) -> None:
    """fitfast's Rust core panics on them (fitfast 0.1.0); fitparse reads them as bytes."""
    from .. import fitbytes as fb

    start = 1_760_000_000 - fb.FIT_EPOCH_S
    definition = fb.definition(1, 20, [(253, 4, fb.UINT32), (3, 1, fb.UINT8), (200, 1, 0x1F)])
    data = fb.fit_file(fb.file_id() + definition + bytes([1]) + start.to_bytes(4, "little") + b"\x78\x01")

    def unexpected(*args: object, **kwargs: object) -> None:
        raise AssertionError("fitfast was called")

    monkeypatch.setattr(fast.fitfast, "records", unexpected)
    monkeypatch.setattr(fast.fitfast, "parse", unexpected)
    assert try_fast_decode(data) is None
    result = decode_fit_bytes(data)
    assert result.decoder == "fitparse" and result.record_count == 1


def test_environment_picks_the_decoder(monkeypatch: pytest.MonkeyPatch) -> None:
    path = sample("easy_run")
    monkeypatch.setenv("HAMFLOW_DECODER", "fitparse")
    assert read_fit(path).decoder == "fitparse"
    monkeypatch.setenv("HAMFLOW_DECODER", "auto")
    assert read_fit(path).decoder == "fitfast"
    monkeypatch.delenv("HAMFLOW_DECODER")
    assert read_fit(path).decoder == "fitfast"
    assert read_fit(path, decoder="fitparse").decoder == "fitparse"  # the argument wins
    monkeypatch.setenv("HAMFLOW_DECODER", "fastest")
    with pytest.raises(ValueError, match="HAMFLOW_DECODER"):
        read_fit(path)


def test_forcing_fitfast_without_it_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fast, "fitfast", None)
    with pytest.raises(DecoderUnavailable, match=r"hamflow\[fast\]"):
        decode_fit_bytes(sample("easy_run").read_bytes(), decoder="fitfast")
    assert decode_fit_bytes(sample("easy_run").read_bytes()).decoder == "fitparse"  # auto


@pytest.mark.parametrize("choice", ["fitparse", "auto"])
def test_stored_decoder_is_the_one_that_ran(choice: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """fit_files.decoder names the decoder that read each file, through the worker processes."""
    from hamflow.ingest import IngestOptions, ingest
    from hamflow.model import load_config

    inbox = tmp_path / "inbox" / "ana"
    inbox.mkdir(parents=True)
    for kind in ("easy_run", "strength"):
        shutil.copy2(sample(kind), inbox)
    broken = next(e for e in manifest() if e["broken"] == "not_fit")
    shutil.copy2(SAMPLES / broken["path"], inbox)
    monkeypatch.setenv("HAMFLOW_DECODER", choice)
    db = tmp_path / "hamflow.duckdb"
    ingest([str(inbox.parent)], db, load_config(None), IngestOptions(settle_s=0.0))
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT status, decoder, decoder_version FROM fit_files ORDER BY path").fetchall()
    ran = "fitparse" if choice == "fitparse" else "fitfast"
    assert sorted(rows) == sorted(
        [("ingested", ran, decoder_version(ran))] * 2 + [("quarantined", "fitparse", decoder_version("fitparse"))]
    )
