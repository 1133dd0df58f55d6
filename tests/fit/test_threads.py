"""Decoding in threads: fitparse's developer-field registry is the process's, so one parse at a time."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import hamflow.fit.reader as reader
from hamflow.fit import decode_fit_bytes

from ..helpers import sample

KINDS = ("incline_walk", "incline_walk_ciq", "easy_run", "row_ciq", "stair")


@pytest.mark.parametrize("decoder", ["fitparse", "auto"])
def test_threads_parse_one_file_at_a_time_and_decode_as_one_thread_does(monkeypatch: pytest.MonkeyPatch, decoder: str) -> None:
    files = [sample(kind).read_bytes() for kind in KINDS] * 2
    alone = [decode_fit_bytes(data, decoder=decoder) for data in files]
    inside, most = 0, 0
    count = threading.Lock()

    def watched(parse: Any) -> Any:
        def parse_slowly(*args: Any) -> Any:
            nonlocal inside, most
            with count:
                inside += 1
                most = max(most, inside)
            time.sleep(0.02)  # a window for a second thread to come in, were it let in
            try:
                return parse(*args)
            finally:
                with count:
                    inside -= 1
        return parse_slowly

    monkeypatch.setattr(reader, "_parse_into", watched(reader._parse_into))
    monkeypatch.setattr(reader.fast, "feed_fast", watched(reader.fast.feed_fast))
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda data: decode_fit_bytes(data, decoder=decoder), files))
    assert most == 1
    for a, b in zip(alone, together, strict=True):
        assert a.decoder == b.decoder and a.status == b.status
        for s, t in zip(a.sessions, b.sessions, strict=True):
            assert s.records.equals(t.records)
