"""The reference decoder's lean record reading gives fitparse's own messages, value for value.

On the files the fast path takes, the differential test already holds the reference decoder to
fitfast's reading. The files it declines (chained blocks, compressed time stamps and
speed/distance, damaged ones) are read by the reference decoder alone, so there the lean reader
is compared with a plain ``fitparse.FitFile``: every message, every field's name, value and raw
value, and the error a damaged file ends with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fitparse
from fitparse.records import Crc
from hypothesis import given
from hypothesis import strategies as st

from hamflow.fit.lean import LeanFitFile, _ByteTableCrc
from hamflow.fit.reader import try_fast_decode

from ..corpus import CorpusFile, corpus_root
from ..helpers import SAMPLES, manifest


def messages(reader: Any, path: Path) -> list[tuple[object, ...]]:
    """What a reader makes of a file: each message's fields, then the error it stopped with."""
    out: list[tuple[object, ...]] = []
    try:
        with reader(str(path)) as fit:
            for message in fit.get_messages():
                out.append((message.name, tuple((f.name, f.value, f.raw_value) for f in message.fields)))
    except Exception as exc:  # fitparse raises many kinds; the lean reader must raise the same
        out.append(("stopped", type(exc).__name__, str(exc)))
    return out


def declined_by_the_fast_path(paths: list[Path]) -> list[Path]:
    declined = []
    for path in paths:
        try:
            taken = try_fast_decode(path.read_bytes(), path=str(path)) is not None
        except Exception:
            taken = False
        if not taken:
            declined.append(path)
    return declined


def test_the_lean_reader_reads_every_file_the_fast_path_declines_as_fitparse_does(
    corpus: dict[str, CorpusFile],
) -> None:
    declined = declined_by_the_fast_path([corpus_root() / rel for rel in sorted(corpus)])
    assert declined, "the corpus holds files only the reference decoder reads"
    differing = [str(p) for p in declined if messages(LeanFitFile, p) != messages(fitparse.FitFile, p)]
    assert differing == []


def test_the_lean_reader_reads_a_sample_file_of_every_kind_as_fitparse_does() -> None:
    """One sample file of each kind and each way of being broken: every machine type, with and
    without developer fields."""
    first: dict[tuple[str, str | None], Path] = {}
    for entry in manifest():
        first.setdefault((entry["kind"], entry["broken"]), SAMPLES / entry["path"])
    files = sorted(first.values())
    assert len(files) > 5
    differing = [p.name for p in files if messages(LeanFitFile, p) != messages(fitparse.FitFile, p)]
    assert differing == []


@given(st.binary(max_size=300), st.integers(0, 0xFFFF))
def test_the_byte_wise_checksum_is_fitparse_s_checksum_for_any_bytes_from_any_running_value(data: bytes, crc: int) -> None:
    assert _ByteTableCrc.calculate(data, crc) == Crc.calculate(data, crc)
