"""The hand-made inputs pinned in this folder, written by ``python -m tests.hardening.regressions.pinned``.

Each reaches one place where a decoder can over-allocate, loop, overflow or mis-report; the
files are committed, this script only says how they were made. Fuzz finds are added next to
them as ``seed<N>-<case name>.fit`` (see tests/hardening/test_fuzz_decode.py).
"""

from __future__ import annotations

import struct
from pathlib import Path

from tests.fitbytes import ENUM, UINT8, UINT32, crc, definition, file_id, fit_file, header, record, record_definition, small_activity

HERE = Path(__file__).parent
T0 = 1_760_000_000


def _with_header(data: bytes, *, size: int | None = None, data_size: int | None = None) -> bytes:
    buf = bytearray(data)
    if size is not None:
        buf[0] = size
    if data_size is not None:
        struct.pack_into("<I", buf, 4, data_size)
    struct.pack_into("<H", buf, 12, crc(bytes(buf[:12])))
    return bytes(buf)


def pinned() -> dict[str, bytes]:
    good = small_activity(10)
    return {
        # The header declares 4 GiB of messages in a 200-byte file.
        "pinned-header-data-size-4gib.fit": _with_header(good, data_size=0xFFFFFFFF),
        # A header size larger than the file.
        "pinned-header-size-255.fit": _with_header(good, size=255),
        # The header declares no data although messages follow (a real writer bug, repaired).
        "pinned-header-data-size-zero.fit": _with_header(good, data_size=0),
        # 255 fields of 255 bytes each: one data message would be 65 kB, the file has 40 bytes.
        "pinned-definition-255-fields-of-255-bytes.fit": fit_file(
            file_id() + definition(2, 20, [(i, 255, 0x0D) for i in range(255)]) + b"\x02" + b"\x00" * 40),
        # A compressed-timestamp data message for a local type never defined.
        "pinned-compressed-timestamp-undefined.fit": fit_file(file_id() + b"\xa0" + b"\x00" * 8),
        # A data message before any definition.
        "pinned-data-before-definition.fit": fit_file(record(T0, 120) + file_id()),
        # A sound file followed by a second block whose header is garbage.
        "pinned-chained-garbage-block.fit": good + bytes([14, 0x20]) + b"\xff" * 30,
        # Two identical chained blocks.
        "pinned-chained-twice.fit": good + good,
        # Developer fields that refer to a developer data index never declared.
        "pinned-developer-field-undeclared.fit": fit_file(
            file_id() + bytes([0x60 | 3, 0, 0]) + struct.pack("<HB", 20, 1) + bytes([253, 4, UINT32]) + bytes([1, 0, 7, 9, 4, 3])
            + bytes([3]) + struct.pack("<I", T0 - 631065600) + b"\x01\x02\x03\x04"),
        # Record timestamps at the ends of their range, and jumping back and forth.
        "pinned-timestamps-extreme.fit": fit_file(
            file_id() + record_definition() + record(631065600 + 0xFFFFFFFE, 120) + record(631065600, 0)
            + record(T0, 255) + record(631065600 + 0x0FFFFFFF, 1) + record(T0 + 1, 120)),
        # A thousand records with the same timestamp.
        "pinned-one-second-thousand-records.fit": fit_file(
            file_id() + record_definition() + b"".join(record(T0, 100 + i % 50) for i in range(1000))),
        # The local message type redefined on every message, alternating global numbers.
        "pinned-redefinition-storm.fit": fit_file(file_id() + b"".join(
            (definition(1, 20 if i % 2 else 21, [(253, 4, UINT32), (3, 1, UINT8)]) + record(T0 + i, 120)) for i in range(200))),
        # A header-only file: 14 bytes and the checksum, no messages.
        "pinned-header-only.fit": fit_file(b""),
        # A file_id of an unknown type, enum value 0xFE.
        "pinned-file-id-unknown-type.fit": fit_file(definition(0, 0, [(0, 1, ENUM)]) + bytes([0, 0xFE])
                                                    + record_definition() + record(T0, 120)),
        # The 12-byte header of protocol 1 (no header checksum), then a record.
        "pinned-12-byte-header.fit": (lambda body: body + struct.pack("<H", crc(body)))(
            header(len(file_id() + record_definition() + record(T0, 120)), size=12) + file_id() + record_definition() + record(T0, 120)),
    }


def sessions_file(n: int) -> bytes:
    """One record, then ``n`` session messages a second apart (a writer stuck in a loop, or a
    record definition whose global number was flipped to 18)."""
    session = definition(2, 18, [(253, 4, UINT32), (2, 4, UINT32), (5, 1, ENUM)])  # timestamp, start_time, sport
    sessions = b"".join(bytes([2]) + struct.pack("<IIB", T0 + i - 631065600, T0 + i - 631065600, 1) for i in range(n))
    return fit_file(file_id() + record_definition() + record(T0, 120) + session + sessions)


def grown() -> dict[str, bytes]:
    """Inputs made from fuzz finds, grown until the problem they showed is unmistakable."""
    # Decoding was quadratic in session messages: 4,000 took 38 s, 8,000 exhausted memory.
    return {"pinned-many-sessions-4000.fit": sessions_file(4000)}


def open_bugs() -> dict[str, bytes]:
    """Inputs that still break the contract (see open/README.md); none at the moment."""
    return {}


if __name__ == "__main__":
    for name, data in {**pinned(), **grown(), **open_bugs()}.items():
        (HERE / name).parent.mkdir(exist_ok=True)
        (HERE / name).write_bytes(data)
        print(f"{len(data):6} {name}")
