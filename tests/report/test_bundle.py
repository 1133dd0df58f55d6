"""The Vega bundle is built once per vl-convert release and read back from the user's cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import vl_convert

from hamflow.report import bundle
from hamflow.report.bundle import cache_dir, vega_bundle


@pytest.fixture
def builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A fresh cache folder, and a record of each real build (as if each call were a new process)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    built: list[str] = []
    real = vl_convert.javascript_bundle

    def counted() -> str:
        text: str = real()  # type: ignore[call-arg]
        built.append(text)
        return text

    monkeypatch.setattr(bundle.vl_convert, "javascript_bundle", counted)
    vega_bundle.cache_clear()
    yield built
    vega_bundle.cache_clear()


def cached_files() -> list[Path]:
    folder = cache_dir()
    assert folder is not None
    return sorted(folder.iterdir())


def test_the_first_report_keeps_the_bundle_and_the_next_process_reads_it_without_building(builds: list[str]) -> None:
    first = vega_bundle()
    assert len(builds) == 1 and "vegaEmbed" in first
    (kept,) = cached_files()
    assert kept.name.startswith("vega-bundle-") and kept.suffix == ".js"

    vega_bundle.cache_clear()
    assert vega_bundle() == first
    assert len(builds) == 1


@pytest.mark.parametrize("damage", ["cut short", "changed", "not text"])
def test_a_kept_bundle_cut_short_or_changed_is_built_again_and_replaced(builds: list[str], damage: str) -> None:
    good = vega_bundle()
    (kept,) = cached_files()
    whole = kept.read_bytes()
    kept.write_bytes({"cut short": whole[: len(whole) // 2], "changed": whole.replace(b"vegaEmbed", b"vegaEmbeD", 1),
                      "not text": b"\xff\xfe" + whole}[damage])

    vega_bundle.cache_clear()
    assert vega_bundle() == good
    assert len(builds) == 2
    assert kept.read_bytes() == whole
    assert cached_files() == [kept]  # no temporary file left behind


def test_a_cache_folder_that_cannot_be_written_still_gives_the_bundle(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, builds: list[str]) -> None:
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))

    assert "vegaEmbed" in vega_bundle()
    vega_bundle.cache_clear()
    assert "vegaEmbed" in vega_bundle()
    assert len(builds) == 2
    assert blocker.read_text() == ""


def test_a_vl_convert_whose_release_cannot_be_read_is_built_each_time_and_nothing_is_kept(
        monkeypatch: pytest.MonkeyPatch, builds: list[str]) -> None:
    def unknown(name: str) -> str:
        raise bundle.PackageNotFoundError(name)

    monkeypatch.setattr(bundle, "version", unknown)
    assert "vegaEmbed" in vega_bundle()
    vega_bundle.cache_clear()
    assert "vegaEmbed" in vega_bundle()
    assert len(builds) == 2
    folder = cache_dir()
    assert folder is not None and not folder.exists()
