"""The fast path reads chained files and compressed time stamps exactly as fitparse does, or declines."""

from __future__ import annotations

import struct

from hamflow.fit import decode_fit_bytes, read_fit
from hamflow.fit.reader import try_fast_decode

from .. import fitbytes as fb
from ..corpus import corpus_root
from .test_fast import assert_same_result

START = 1_760_000_000
EVENT = 21


def compressed(local: int, offset: int, payload: bytes) -> bytes:
    """A data message whose header carries the low five bits of its time stamp."""
    return bytes([0x80 | local << 5 | offset & 0x1F]) + payload


def event_definition(local: int = 2) -> bytes:
    return fb.definition(local, EVENT, [(0, 1, fb.ENUM), (1, 1, fb.ENUM)])


def test_a_chained_file_is_decoded_block_by_block_on_the_fast_path() -> None:
    path = corpus_root() / "fitparse/sample_mulitple_header.fit"
    result = try_fast_decode(path.read_bytes(), path=str(path))
    assert result is not None
    assert result.chained_blocks == 4
    assert_same_result(result, read_fit(path, decoder="fitparse"))


def test_blocks_with_different_record_fields_are_joined_like_fitparse_joins_them() -> None:
    first = fb.small_activity(3)
    power = fb.definition(1, 20, [(253, 4, fb.UINT32), (7, 2, 0x84)])
    second = fb.fit_file(power + b"".join(bytes([1]) + struct.pack("<IH", START + 10 + i - fb.FIT_EPOCH_S, 200 + i)
                                           for i in range(4)))
    data = first + second
    result = try_fast_decode(data)
    assert result is not None and result.chained_blocks == 2 and result.record_count == 7
    assert_same_result(result, decode_fit_bytes(data, decoder="fitparse"))


def test_bytes_after_the_last_block_are_left_to_fitparse() -> None:
    data = fb.small_activity() + b"\x00\x01\x02"
    assert try_fast_decode(data) is None
    assert decode_fit_bytes(data).decoder == "fitparse"


def test_a_block_that_runs_past_the_end_is_left_to_fitparse() -> None:
    data = fb.small_activity() + fb.small_activity()[:-5]
    assert try_fast_decode(data) is None
    assert decode_fit_bytes(data).decoder == "fitparse"


def test_compressed_time_stamps_on_records_match_fitparse() -> None:
    """Offsets count on from the last full time stamp and roll over every 32 seconds."""
    first = START - fb.FIT_EPOCH_S
    first += 30 - first % 32  # two seconds before a rollover
    hr_only = fb.definition(1, 20, [(3, 1, fb.UINT8)])
    data = fb.fit_file(
        fb.file_id() + fb.record_definition() + fb.record(first + fb.FIT_EPOCH_S, 100) + hr_only
        + b"".join(compressed(1, first + i, bytes([100 + i])) for i in (1, 2, 3, 20))
    )
    result = try_fast_decode(data)
    assert result is not None
    stamps = result.sessions[0].records["ts_utc"].dt.epoch("s").to_list()
    assert stamps == [first + fb.FIT_EPOCH_S + i for i in (0, 1, 2, 3, 20)]
    assert_same_result(result, decode_fit_bytes(data, decoder="fitparse"))


def test_a_compressed_event_timed_by_a_record_is_left_to_fitparse() -> None:
    """fitparse reads events here without the records, so it could not time this one."""
    data = fb.fit_file(
        fb.file_id() + fb.record_definition() + event_definition() + fb.record(START, 120)
        + compressed(2, START + 3, bytes([0, 4]))
    )
    assert try_fast_decode(data) is None
    result = decode_fit_bytes(data)
    assert result.decoder == "fitparse" and result.events[0].ts_utc is not None


def test_a_compressed_event_timed_by_messages_fitparse_reads_takes_the_fast_path() -> None:
    timed_event = fb.definition(3, EVENT, [(253, 4, fb.UINT32), (0, 1, fb.ENUM), (1, 1, fb.ENUM)])
    data = fb.fit_file(
        fb.file_id() + fb.record_definition() + event_definition() + timed_event
        + bytes([3]) + struct.pack("<IBB", START - fb.FIT_EPOCH_S, 0, 0)
        + compressed(1, START - fb.FIT_EPOCH_S + 1, struct.pack("<IB", 0xFFFFFFFF, 121))  # no timestamp field
        + compressed(2, START - fb.FIT_EPOCH_S + 5, bytes([0, 4]))
    )
    result = try_fast_decode(data)
    assert result is not None
    assert_same_result(result, decode_fit_bytes(data, decoder="fitparse"))


def records_file(fields: list[tuple[int, int, int]], rows: list[bytes], *, redefine_every: int = 0) -> bytes:
    """An activity of records with the given fields (after a time stamp), one a second."""
    definition = fb.definition(1, 20, [(253, 4, fb.UINT32), *fields])
    body = fb.file_id() + definition
    for i, row in enumerate(rows):
        if redefine_every and i and i % redefine_every == 0:
            body += definition
        body += bytes([1]) + struct.pack("<I", START - fb.FIT_EPOCH_S + i) + row
    return fb.fit_file(body)


def test_compressed_speed_and_distance_accumulate_like_fitparse() -> None:
    """12-bit distances roll over and restart with each definition; all-0xFF bytes are no value."""
    rows = []
    for i in range(40):
        speed, low = 250 + i, (i * 300) % 4096
        packed = speed | low << 12
        rows.append(b"\xff\xff\xff" if i % 7 == 3 else packed.to_bytes(3, "little"))
    data = records_file([(8, 3, 0x0D), (3, 1, fb.UINT8)], [row + bytes([130]) for row in rows], redefine_every=25)
    result = try_fast_decode(data)
    assert result is not None
    assert {"compressed_speed_distance", "speed", "distance"} <= set(result.fields_present)
    assert_same_result(result, decode_fit_bytes(data, decoder="fitparse"))


def test_a_native_distance_before_the_compressed_one_wins_like_in_fitparse() -> None:
    rows = [struct.pack("<I", 100 * i if i % 2 else 0xFFFFFFFF) + (400 | (16 * i) << 12).to_bytes(3, "little")
            for i in range(10)]
    data = records_file([(5, 4, fb.UINT32), (8, 3, 0x0D)], rows)
    result = try_fast_decode(data)
    assert result is not None
    assert_same_result(result, decode_fit_bytes(data, decoder="fitparse"))


def test_running_totals_are_present_exactly_when_fitparse_finds_a_value() -> None:
    """cycles and compressed_accumulated_power expand into totals the collector only lists."""
    for cycles, power in ((0xFF, 0xFFFF), (3, 0xFFFF), (0xFF, 500)):
        data = records_file([(18, 1, fb.UINT8), (28, 2, 0x84)], [struct.pack("<BH", cycles, power)] * 3)
        result = try_fast_decode(data)
        assert result is not None
        assert_same_result(result, decode_fit_bytes(data, decoder="fitparse"))


def test_a_field_declared_with_another_base_type_is_present_as_fitparse_reads_it() -> None:
    """temperature is sint8 in the profile; declared uint8, 0xFF is no value to fitparse (fitfast
    would read -1) and 0x7F is one (fitfast would read none)."""
    for value in (0xFF, 0x7F):
        data = records_file([(3, 1, fb.UINT8), (13, 1, fb.UINT8)], [bytes([120, value])] * 3)
        result = try_fast_decode(data)
        assert result is not None
        assert ("temperature" in result.fields_present) == (value == 0x7F)
        assert_same_result(result, decode_fit_bytes(data, decoder="fitparse"))


def test_a_field_declared_with_two_base_types_is_left_to_fitparse() -> None:
    retyped = fb.definition(2, 20, [(253, 4, fb.UINT32), (13, 1, fb.UINT8)])
    data = records_file([(13, 1, 0x01)], [bytes([20])] * 2)[:-2]
    body = data[14:] + retyped + bytes([2]) + struct.pack("<IB", START + 5 - fb.FIT_EPOCH_S, 0xFF)
    data = fb.fit_file(body)
    assert try_fast_decode(data) is None
    assert decode_fit_bytes(data).decoder == "fitparse"


def test_a_native_field_written_as_an_array_gives_no_value_on_either_path() -> None:
    rows = [struct.pack("<H", 2600 + i) + struct.pack("<II", 13000 + i, 13000) for i in range(5)]
    data = records_file([(2, 2, 0x84), (78, 8, fb.UINT32)], rows)
    result = try_fast_decode(data)
    assert result is not None
    assert_same_result(result, decode_fit_bytes(data, decoder="fitparse"))
