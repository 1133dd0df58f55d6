"""Hand-built FIT bytes for exercising the decoder's error paths.

Real files cover the happy paths; these few bytes reproduce, one at a time, the structural
faults the decoder must name (wrong field sizes, undefined local messages, bad headers).
"""

from __future__ import annotations

import struct

from fitparse.records import Crc

UINT8, UINT32, ENUM = 0x02, 0x86, 0x00
FIT_EPOCH_S = 631065600


def crc(data: bytes) -> int:
    return Crc.calculate(data)


def header(data_size: int, *, size: int = 14, signature: bytes = b".FIT") -> bytes:
    head = struct.pack("<BBHI4s", size, 0x20, 2132, data_size, signature)
    if size == 14:
        head += struct.pack("<H", crc(head))
    elif size > 12:
        head += b"\x00" * (size - 12)
    return head


def definition(local: int, global_num: int, fields: list[tuple[int, int, int]]) -> bytes:
    body = struct.pack("<BBBHB", 0x40 | local, 0, 0, global_num, len(fields))
    return body + b"".join(struct.pack("<BBB", *f) for f in fields)


def file_id(local: int = 0, file_type: int = 4) -> bytes:
    return definition(local, 0, [(0, 1, ENUM)]) + bytes([local, file_type])


def record_definition(local: int = 1) -> bytes:
    return definition(local, 20, [(253, 4, UINT32), (3, 1, UINT8)])


def record(ts_unix: int, hr: int, local: int = 1) -> bytes:
    return bytes([local]) + struct.pack("<IB", ts_unix - FIT_EPOCH_S, hr)


def fit_file(messages: bytes, *, file_crc: int | None = None) -> bytes:
    """A complete FIT file around ``messages`` with correct sizes and checksum."""
    body = header(len(messages)) + messages
    return body + struct.pack("<H", crc(body) if file_crc is None else file_crc)


def small_activity(n: int = 5, start_unix: int = 1_760_000_000) -> bytes:
    return fit_file(file_id() + record_definition() + b"".join(record(start_unix + i, 120 + i) for i in range(n)))
