"""Seeded mutations of real FIT files, aimed at the places a decoder can go wrong.

:func:`walk` reads the structure of a file (headers, definition and data messages, checksums,
chained blocks) without any decoder, so mutations can target exact boundaries and fields:
truncation at every boundary, corrupt headers, huge declared sizes, absurd field values.
:func:`mutants` turns seed files into a deterministic list of cases: the same seed gives the same
bytes on every machine.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

from fitparse.records import Crc


def crc16(data: bytes) -> int:
    return Crc.calculate(data)


@dataclass(frozen=True)
class FieldSpan:
    """Where one field of one data message lies: ``offset`` into the file, ``size`` bytes."""

    offset: int
    size: int
    field_num: int
    base_type: int  # 0xFF for developer fields


@dataclass
class Message:
    offset: int  # the record header byte
    end: int  # one past the message's last byte
    kind: str  # "definition" or "data"
    local: int
    global_num: int | None = None
    # definition: offsets of the number-of-fields byte, each field's size and type bytes
    n_fields_at: int | None = None
    size_at: list[int] = field(default_factory=list)
    type_at: list[int] = field(default_factory=list)
    n_dev_at: int | None = None
    dev_size_at: list[int] = field(default_factory=list)
    dev_index_at: list[int] = field(default_factory=list)
    arch_at: int | None = None
    global_at: int | None = None
    # data: the fields' spans
    fields: list[FieldSpan] = field(default_factory=list)


@dataclass
class Block:
    """One FIT block (a file may chain several): header, messages, two CRC bytes."""

    start: int
    header_size: int
    data_size: int  # as declared in the header
    messages: list[Message]
    crc_at: int | None  # None when the file ends before the CRC
    end: int  # one past the CRC (or the end of what was read)

    @property
    def data_start(self) -> int:
        return self.start + self.header_size


@dataclass
class Structure:
    blocks: list[Block]
    complete: bool  # the walk reached the end of the file without a structural break

    def boundaries(self) -> list[int]:
        """Every offset where a structural element starts or ends, sorted and unique."""
        points: set[int] = {0, 1, 12}
        for b in self.blocks:
            points.update({b.start, b.start + 12, b.data_start, b.end})
            if b.crc_at is not None:
                points.update({b.crc_at, b.crc_at + 1})
            for m in b.messages:
                points.update({m.offset, m.offset + 1, m.end})
                if m.kind == "definition" and m.n_fields_at is not None:
                    points.add(m.n_fields_at + 1)
        return sorted(points)

    def messages(self) -> Iterator[Message]:
        for b in self.blocks:
            yield from b.messages


_BASE_SIZES = {0x00: 1, 0x01: 1, 0x02: 1, 0x83: 2, 0x84: 2, 0x85: 4, 0x86: 4, 0x07: 1, 0x88: 4, 0x89: 8,
               0x0A: 1, 0x8B: 2, 0x8C: 4, 0x0D: 1, 0x8E: 8, 0x8F: 8, 0x90: 8}


def walk(data: bytes) -> Structure:
    """The structure of ``data`` as far as it can be followed (no decoding of values)."""
    blocks: list[Block] = []
    pos = 0
    n = len(data)
    while pos + 12 <= n and data[pos + 8 : pos + 12] == b".FIT":
        header_size = data[pos]
        data_size = struct.unpack_from("<I", data, pos + 4)[0]
        start = pos
        if header_size < 12:
            return Structure(blocks, False)
        pos += header_size
        limit = pos + data_size if data_size else n - 2
        defs: dict[int, list[tuple[int, int, int]]] = {}
        messages: list[Message] = []
        broken = False
        while pos < min(limit, n):
            head = data[pos]
            if head & 0xC0 == 0x40:  # a definition (0x80 set: a compressed-timestamp data message)
                local = head & 0x0F
                if pos + 6 > n:
                    broken = True
                    break
                m = Message(pos, pos, "definition", local, arch_at=pos + 2, global_at=pos + 3, n_fields_at=pos + 5)
                big = data[pos + 2] == 1
                m.global_num = struct.unpack_from(">H" if big else "<H", data, pos + 3)[0]
                count = data[pos + 5]
                p = pos + 6
                specs = []
                for _ in range(count):
                    if p + 3 > n:
                        break
                    m.size_at.append(p + 1)
                    m.type_at.append(p + 2)
                    specs.append((data[p], data[p + 1], data[p + 2]))
                    p += 3
                if head & 0x20 and p < n:
                    m.n_dev_at = p
                    n_dev = data[p]
                    p += 1
                    for _ in range(n_dev):
                        if p + 3 > n:
                            break
                        m.dev_size_at.append(p + 1)
                        m.dev_index_at.append(p + 2)
                        specs.append((data[p], data[p + 1], 0xFF))
                        p += 3
                m.end = p
                defs[local] = specs
            else:
                local = (head >> 5) & 0x3 if head & 0x80 else head & 0x0F
                if local not in defs:
                    broken = True
                    break
                m = Message(pos, pos, "data", local)
                p = pos + 1
                for num, size, base in defs[local]:
                    m.fields.append(FieldSpan(p, size, num, base))
                    p += size
                m.end = p
            if m.end > n:
                broken = True
                messages.append(m)
                break
            messages.append(m)
            pos = m.end
        if broken or pos + 2 > n:
            blocks.append(Block(start, header_size, data_size, messages, None, min(pos, n)))
            return Structure(blocks, False)
        blocks.append(Block(start, header_size, data_size, messages, pos, pos + 2))
        pos += 2
    return Structure(blocks, pos == n and bool(blocks))


# -- repairs: keep a mutation from being caught by a checksum before it reaches the decoder ----


def fix_header_crc(buf: bytearray, block_start: int = 0) -> None:
    if len(buf) >= block_start + 14 and buf[block_start] >= 14:
        struct.pack_into("<H", buf, block_start + 12, crc16(bytes(buf[block_start : block_start + 12])))


def fix_file_crc(buf: bytearray) -> None:
    """Rewrite the last two bytes as the checksum of everything before them (single block)."""
    if len(buf) >= 14:
        struct.pack_into("<H", buf, len(buf) - 2, crc16(bytes(buf[:-2])))


def crop(data: bytes, s: Structure, end: int) -> bytes:
    """A complete, valid file made of the first block's messages before offset ``end``."""
    b = s.blocks[0]
    buf = bytearray(data[: end])
    struct.pack_into("<I", buf, 4, max(0, end - b.data_start))
    fix_header_crc(buf)
    buf += b"\x00\x00"
    fix_file_crc(buf)
    return bytes(buf)


# -- mutations ---------------------------------------------------------------------------------

#: Values that make decoders overflow, divide by zero or allocate: per field size.
_ABSURD: dict[int, list[bytes]] = {
    1: [b"\xff", b"\x00", b"\x7f", b"\x80", b"\xfe"],
    2: [b"\xff\xff", b"\x00\x00", b"\xff\x7f", b"\x00\x80", b"\xfe\xff"],
    4: [b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\xff\xff\xff\x7f", b"\x00\x00\x00\x80", b"\xfe\xff\xff\xff",
        b"\x01\x00\x00\x00", b"\xff\xff\xff\x0f"],
    8: [b"\xff" * 8, b"\x00" * 8, b"\xff" * 7 + b"\x7f", b"\x00" * 7 + b"\x80"],
}


def _absurd(rng: random.Random, size: int) -> bytes:
    if size in _ABSURD and rng.random() < 0.8:
        return rng.choice(_ABSURD[size])
    return rng.randbytes(size)


@dataclass(frozen=True)
class Case:
    name: str  # "<seed>|<mutation>|<detail>": enough to find it again
    data: bytes


def _bitflips(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 4, 8, 32))):
        i = rng.randrange(len(buf))
        buf[i] ^= 1 << rng.randrange(8)
    return bytes(buf)


def _header(rng: random.Random, data: bytes, s: Structure) -> tuple[str, bytes]:
    buf = bytearray(data)
    b = rng.choice(s.blocks) if s.blocks else None
    at = b.start if b else 0
    what = rng.choice(("header_size", "data_size", "data_size", "protocol", "signature", "header_crc", "profile"))
    if what == "header_size":
        buf[at] = rng.choice((0, 1, 11, 12, 13, 15, 16, 64, 255, rng.randrange(256)))
    elif what == "data_size":
        value = rng.choice((0, 1, 2, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, len(data), len(data) * 1000,
                            max(0, len(data) - 16), rng.randrange(1 << 32)))
        struct.pack_into("<I", buf, at + 4, value)
    elif what == "protocol":
        buf[at + 1] = rng.randrange(256)
    elif what == "profile":
        struct.pack_into("<H", buf, at + 2, rng.randrange(1 << 16))
    elif what == "signature":
        buf[at + 8 + rng.randrange(4)] = rng.randrange(256)
    else:
        struct.pack_into("<H", buf, at + 12, rng.randrange(1 << 16))
    if what != "header_crc" and rng.random() < 0.7:
        fix_header_crc(buf, at)  # get past the header checksum to the code that uses the value
    return what, bytes(buf)


def _definition(rng: random.Random, data: bytes, s: Structure) -> tuple[str, bytes]:
    defs = [m for m in s.messages() if m.kind == "definition"]
    if not defs:
        return "none", _bitflips(rng, data)
    m = rng.choice(defs)
    buf = bytearray(data)
    options = ["n_fields", "field_size", "base_type", "arch", "global", "dev_flag"]
    if m.dev_size_at:
        options += ["dev_size", "dev_index", "n_dev"]
    what = rng.choice(options)
    if what == "n_fields" and m.n_fields_at is not None:
        buf[m.n_fields_at] = rng.choice((0, 1, 255, 254, rng.randrange(256)))
    elif what == "field_size" and m.size_at:
        buf[rng.choice(m.size_at)] = rng.choice((0, 1, 3, 255, 254, rng.randrange(256)))
    elif what == "base_type" and m.type_at:
        buf[rng.choice(m.type_at)] = rng.choice((0x00, 0x07, 0x0D, 0x8E, 0x90, 0x91, 0xFF, rng.randrange(256)))
    elif what == "arch" and m.arch_at is not None:
        buf[m.arch_at] = rng.choice((1, 2, 255))
    elif what == "global" and m.global_at is not None:
        struct.pack_into("<H", buf, m.global_at, rng.choice((0, 20, 18, 132, 206, 207, 0xFFFF, 0xFF00, rng.randrange(1 << 16))))
    elif what == "dev_flag":
        buf[m.offset] ^= 0x20
    elif what == "dev_size":
        buf[rng.choice(m.dev_size_at)] = rng.choice((0, 255, rng.randrange(256)))
    elif what == "dev_index":
        buf[rng.choice(m.dev_index_at)] = rng.choice((1, 2, 255, rng.randrange(256)))
    elif what == "n_dev" and m.n_dev_at is not None:
        buf[m.n_dev_at] = rng.choice((0, 255, rng.randrange(256)))
    if rng.random() < 0.5:
        fix_file_crc(buf)
    return what, bytes(buf)


def _values(rng: random.Random, data: bytes, s: Structure) -> tuple[str, bytes]:
    """Absurd values in one field of every data message of one kind (all records' timestamps,
    all speeds ...), with the checksum fixed so the whole file decodes and reaches the model."""
    by_kind: dict[tuple[int, int], list[FieldSpan]] = {}
    for m in s.messages():
        if m.kind == "data":
            for f in m.fields:
                if f.size:
                    by_kind.setdefault((m.local, f.field_num), []).append(f)
    if not by_kind:
        return "none", _bitflips(rng, data)
    key = rng.choice(sorted(by_kind))
    spans = by_kind[key]
    buf = bytearray(data)
    mode = rng.choice(("same", "random", "some", "ramp"))
    fixed = _absurd(rng, spans[0].size)
    for i, f in enumerate(spans):
        if mode == "some" and rng.random() < 0.8:
            continue
        if mode == "ramp" and f.size in (1, 2, 4, 8):  # wild jumps between consecutive values
            value = (rng.randrange(1 << (8 * f.size)) if i % 2 else 0).to_bytes(f.size, "little")
        elif mode == "random":
            value = _absurd(rng, f.size)
        else:
            value = fixed if len(fixed) == f.size else _absurd(rng, f.size)
        buf[f.offset : f.offset + f.size] = value[: f.size]
    if buf == data:  # every value drawn was the one already there, or "some" skipped them all
        f = rng.choice(spans)
        buf[f.offset : f.offset + f.size] = bytes(b ^ 0xFF for b in data[f.offset : f.offset + f.size])
    fix_file_crc(buf)
    return f"local{key[0]}.field{key[1]}.{mode}", bytes(buf)


def _splice(rng: random.Random, data: bytes, s: Structure, other: bytes) -> tuple[str, bytes]:
    msgs = list(s.messages())
    what = rng.choice(("chain", "insert_random", "duplicate", "delete", "chain_garbage"))
    if what == "chain":
        return what, data + other
    if what == "chain_garbage":  # a second block whose header is broken
        return what, data + bytes([14, 0x20]) + rng.randbytes(rng.randrange(1, 40))
    if not msgs:
        return "insert_random", data + rng.randbytes(rng.randrange(1, 64))
    m = rng.choice(msgs)
    if what == "insert_random":
        return what, data[: m.offset] + rng.randbytes(rng.randrange(1, 64)) + data[m.offset :]
    if what == "duplicate":
        return what, data[: m.end] + data[m.offset : m.end] * rng.choice((1, 2, 100)) + data[m.end :]
    return what, data[: m.offset] + data[m.end :]


def _random(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    n = rng.choice((1, 11, 12, 13, 14, 15, 64, 512, 4096))
    what = rng.choice(("bytes", "with_header", "header_then_garbage"))
    if what == "bytes":
        return what, rng.randbytes(n)
    if what == "with_header":  # a valid header and checksums around random messages
        body = rng.randbytes(n)
        buf = bytearray(struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT") + b"\0\0" + body + b"\0\0")
        fix_header_crc(buf)
        fix_file_crc(buf)
        return what, bytes(buf)
    return what, data[:14] + rng.randbytes(n)


def mutants(seeds: dict[str, bytes], count: int, rng_seed: int) -> list[Case]:
    """Exactly ``count`` cases from ``seeds`` (name -> bytes): truncations at every structural
    boundary of the smallest seeds (at most half of ``count``), then random mutations of every
    kind, in turn."""
    rng = random.Random(rng_seed)
    names = sorted(seeds)
    structures = {n: walk(seeds[n]) for n in names}
    cases: list[Case] = []

    # Truncation at every structural boundary of a few small files, +-1 byte around each.
    walkable = [n for n in names if structures[n].blocks and len(seeds[n]) <= 12_000]
    for n in sorted(walkable, key=lambda k: (len(seeds[k]), k))[:6]:
        data = seeds[n]
        for b in structures[n].boundaries():
            for cut in (b - 1, b, b + 1):
                if 0 <= cut < len(data):
                    cases.append(Case(f"{n}|truncate|{cut}", data[:cut]))
    if len(cases) > count // 2:  # a small run keeps a sample of them, and room for every kind
        keep = sorted(rng.sample(range(len(cases)), count // 2))
        cases = [cases[i] for i in keep]
    budget = max(count - len(cases), 0)

    kinds = ["bitflip", "truncate", "header", "definition", "values", "values", "splice", "random", "crop"]
    for i in range(budget):
        n = rng.choice(names)
        data = seeds[n]
        s = structures[n]
        kind = kinds[i % len(kinds)]
        if not data:
            kind = "random"
        if kind == "bitflip":
            cases.append(Case(f"{n}|bitflip|{i}", _bitflips(rng, data)))
        elif kind == "truncate":
            points = s.boundaries()
            cut = rng.choice(points) if points and rng.random() < 0.7 else rng.randrange(len(data))
            cases.append(Case(f"{n}|truncate|{cut}", data[: min(cut, len(data))]))
        elif kind == "header":
            what, out = _header(rng, data, s)
            cases.append(Case(f"{n}|header.{what}|{i}", out))
        elif kind == "definition":
            what, out = _definition(rng, data, s)
            cases.append(Case(f"{n}|definition.{what}|{i}", out))
        elif kind == "values":
            what, out = _values(rng, data, s)
            cases.append(Case(f"{n}|values.{what}|{i}", out))
        elif kind == "splice":
            what, out = _splice(rng, data, s, seeds[rng.choice(names)])
            cases.append(Case(f"{n}|splice.{what}|{i}", out))
        elif kind == "random":
            what, out = _random(rng, data)
            cases.append(Case(f"{n}|random.{what}|{i}", out))
        else:
            msgs = [m for m in (s.blocks[0].messages if s.blocks else []) if m.kind == "data"]
            if len(s.blocks) != 1 or not msgs:
                cases.append(Case(f"{n}|bitflip|{i}", _bitflips(rng, data)))
                continue
            end = rng.choice(msgs).end
            cases.append(Case(f"{n}|crop|{end}", crop(data, s, end)))
    return cases
