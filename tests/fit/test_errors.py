"""Every way a FIT file can be broken ends in one typed error, or in a marked salvage."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from hamflow.fit import REASONS, FitDecodeError, decode_fit_bytes, read_fit

from .. import fitbytes as fb


def reason_of(data: bytes) -> str:
    with pytest.raises(FitDecodeError) as info:
        decode_fit_bytes(data)
    assert info.value.reason in REASONS
    assert info.value.detail and "\n" not in info.value.detail
    return info.value.reason


def test_small_activity_decodes() -> None:
    result = decode_fit_bytes(fb.small_activity(5))
    assert result.status == "ok"
    assert result.record_count == 5
    frame = result.sessions[0].records
    assert frame["heart_rate_bpm"].to_list() == [120.0, 121.0, 122.0, 123.0, 124.0]
    assert frame["ts_utc"][0].timestamp() == 1_760_000_000
    assert result.sessions[0].synthetic  # no session message: made from the records


def test_zero_bytes() -> None:
    assert reason_of(b"") == "empty_file"


@pytest.mark.parametrize("data", [b"hello, this is not a FIT file", b"\x0e\x10", b"x" * 200])
def test_not_fit(data: bytes) -> None:
    assert reason_of(data) == "not_fit"


def test_irregular_header_size() -> None:
    messages = fb.file_id()
    data = fb.header(len(messages), size=13) + messages
    data += struct.pack("<H", fb.crc(data))
    assert reason_of(data) == "bad_header"


def test_header_crc_wrong() -> None:
    good = bytearray(fb.small_activity())
    good[12] ^= 0xFF  # header CRC
    assert reason_of(bytes(good)) == "bad_header"


def test_file_crc_mismatch_keeps_data() -> None:
    good = fb.small_activity()
    bad = good[:-2] + bytes([good[-2] ^ 0x01, good[-1]])
    result = decode_fit_bytes(bad)
    assert result.status == "crc_mismatch"
    assert result.record_count == 5
    assert any(w.startswith("crc_mismatch") for w in result.warnings)


def test_truncated_inside_header() -> None:
    assert reason_of(fb.small_activity()[:13]) == "truncated"


def test_truncated_after_records_salvages_them() -> None:
    data = fb.small_activity(10)
    cut = data[: len(data) - 2 - 6 * 3 - 3]  # drop CRC, records 8-10 and half of record 7
    result = decode_fit_bytes(cut)
    assert result.status == "truncated"
    assert result.record_count == 6
    assert result.sessions[0].records.height == 6
    assert any(w.startswith("truncated") for w in result.warnings)


def test_truncated_before_any_record_is_an_error() -> None:
    data = fb.small_activity(3)
    assert reason_of(data[:14 + 5]) == "truncated"


def test_field_of_wrong_size() -> None:
    bad_definition = fb.definition(1, 20, [(253, 1, fb.UINT32)])
    assert reason_of(fb.fit_file(fb.file_id() + bad_definition + b"\x01\x00")) == "bad_field_size"


def test_field_of_wrong_size_after_records_salvages() -> None:
    good = fb.file_id() + fb.record_definition() + fb.record(1_760_000_000, 130)
    bad_definition = fb.definition(2, 20, [(253, 1, fb.UINT32)])
    result = decode_fit_bytes(fb.fit_file(good + bad_definition + b"\x02\x00"))
    assert result.status == "truncated"
    assert result.record_count == 1
    assert any(w.startswith("bad_field_size") for w in result.warnings)


def test_undefined_local_message_type() -> None:
    assert reason_of(fb.fit_file(fb.file_id() + b"\x05\x00\x00")) == "undefined_local_message"


def test_header_without_messages() -> None:
    assert reason_of(fb.fit_file(b"")) == "no_data"


def test_unreadable_path(tmp_path: Path) -> None:
    with pytest.raises(FitDecodeError) as info:
        read_fit(tmp_path / "missing.fit")
    assert info.value.reason == "unreadable"
    with pytest.raises(FitDecodeError) as info:
        read_fit(tmp_path)  # a directory
    assert info.value.reason == "unreadable"


def test_non_activity_file_is_not_an_error() -> None:
    settings = fb.fit_file(fb.file_id(file_type=2))  # FIT file type 2 = settings
    result = decode_fit_bytes(settings)
    assert result.status == "ok"
    assert not result.is_activity
    assert result.kind == "settings"
    assert result.sessions == ()


def test_input_file_is_never_modified(tmp_path: Path) -> None:
    path = tmp_path / "broken.fit"
    data = fb.small_activity(4)[:-9]
    path.write_bytes(data)
    before = path.stat().st_mtime_ns
    read_fit(path)
    assert path.read_bytes() == data
    assert path.stat().st_mtime_ns == before


def test_error_survives_pickling() -> None:
    """Workers (process pools, Dask) send errors back pickled; reason and detail must survive."""
    import pickle

    error = FitDecodeError("truncated", "the file ends inside its header")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.reason, copy.detail, str(copy)) == (error.reason, error.detail, str(error))
