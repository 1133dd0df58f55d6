"""The decoded-corpus cache (tests/corpus.py): a second run decodes nothing, a changed file or
decoder is decoded again, a damaged entry falls back to decoding. A stale hit would let every
corpus test pass against an old decoder, so the cache is tested like code."""

from __future__ import annotations

from pathlib import Path

import pytest

from hamflow.fit import FitResult

from .. import corpus as corpus_module
from ..corpus import CorpusCache, CorpusFile, decode_corpus, fingerprint_parts
from ..fitbytes import small_activity


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A tiny corpus: two activities, one of them also under a second name, and a broken file."""
    root = tmp_path / "corpus"
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    (root / "a" / "run.fit").write_bytes(small_activity(30))
    (root / "b" / "same-run.FIT").write_bytes(small_activity(30))
    (root / "a" / "walk.fit").write_bytes(small_activity(10))
    (root / "b" / "empty.fit").write_bytes(b"")
    return root


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files decoded (in this process: ``workers=0``), in order."""
    seen: list[str] = []
    real = corpus_module._decode

    def counting(path: Path, root: Path) -> CorpusFile:
        seen.append(str(path.relative_to(root)))
        return real(path, root)

    monkeypatch.setattr(corpus_module, "_decode", counting)
    return seen


def assert_same(a: dict[str, CorpusFile], b: dict[str, CorpusFile]) -> None:
    assert a.keys() == b.keys()
    for rel in a:
        x, y = a[rel], b[rel]
        assert (x.rel, x.escaped, x.fitparse_records, x.fitparse_error) == (y.rel, y.escaped, y.fitparse_records, y.fitparse_error)
        assert type(x.outcome) is type(y.outcome), rel
        if isinstance(x.outcome, FitResult) and isinstance(y.outcome, FitResult):
            assert (x.outcome.path, x.outcome.identity, x.outcome.status, x.outcome.record_count) == \
                (y.outcome.path, y.outcome.identity, y.outcome.status, y.outcome.record_count)
            assert len(x.outcome.sessions) == len(y.outcome.sessions)
            for s, t in zip(x.outcome.sessions, y.outcome.sessions, strict=True):
                assert s.records.equals(t.records), rel
        else:
            assert str(x.outcome) == str(y.outcome), rel


def test_a_second_run_reads_every_file_from_the_cache(root: Path, tmp_path: Path, decodes: list[str]) -> None:
    first = decode_corpus(root, CorpusCache(tmp_path / "cache"), workers=0)
    assert sorted(decodes) == ["a/run.fit", "a/walk.fit", "b/empty.fit"]  # the same bytes twice: decoded once
    decodes.clear()
    second = decode_corpus(root, CorpusCache(tmp_path / "cache"), workers=0)
    assert decodes == []
    assert_same(first, second)
    assert_same(first, decode_corpus(root, None, workers=0))  # what no cache gives
    copy = second["b/same-run.FIT"].outcome
    assert isinstance(copy, FitResult) and copy.path == str(root / "b" / "same-run.FIT")  # each name keeps its path


def test_a_changed_file_is_decoded_again(root: Path, tmp_path: Path, decodes: list[str]) -> None:
    decode_corpus(root, CorpusCache(tmp_path / "cache"), workers=0)
    (root / "a" / "walk.fit").write_bytes(small_activity(12))  # new bytes under an old name
    decodes.clear()
    after = decode_corpus(root, CorpusCache(tmp_path / "cache"), workers=0)
    assert decodes == ["a/walk.fit"]
    assert_same(after, decode_corpus(root, None, workers=0))


def test_a_changed_decoder_misses_every_entry_and_drops_the_old_ones(root: Path, tmp_path: Path, decodes: list[str]) -> None:
    old = CorpusCache(tmp_path / "cache")
    decode_corpus(root, old, workers=0)
    parts = fingerprint_parts()
    newer = CorpusCache(tmp_path / "cache", {**parts, "decoder": parts["decoder"] + "-changed"})
    assert newer.folder != old.folder and not old.folder.exists()
    decodes.clear()
    decode_corpus(root, newer, workers=0)
    assert len(decodes) == 3


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05garbage"], ids=["empty", "text", "cut-short pickle"])
def test_a_damaged_entry_is_decoded_again_and_rewritten(root: Path, tmp_path: Path, decodes: list[str], damage: bytes) -> None:
    cache = CorpusCache(tmp_path / "cache")
    first = decode_corpus(root, cache, workers=0)
    entries = sorted(cache.folder.glob("*.pickle"))
    assert len(entries) == 3
    entries[0].write_bytes(damage)
    decodes.clear()
    again = decode_corpus(root, CorpusCache(tmp_path / "cache"), workers=0)
    assert len(decodes) == 1
    assert_same(first, again)
    decodes.clear()
    decode_corpus(root, CorpusCache(tmp_path / "cache"), workers=0)
    assert decodes == []  # rewritten whole
