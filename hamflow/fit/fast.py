"""The optional fast decoder: fitfast (Rust) for the records, fitparse for everything else.

fitparse stays the reference: a file takes this path only when none of the known differences
between the two decoders can affect it; otherwise :func:`feed_fast` declines and the caller
decodes with fitparse.

Decoding is split by cost. ``record`` messages are almost all of a file and are where fitparse
spends its time, so fitfast decodes them into columns, which :class:`_RecordColumns` renames to
fitparse's vocabulary and hands to the collector in one piece (building a Python object per
field would cost most of what fitfast saves). The few other messages the collector reads (file id,
sessions, events, sets, heart-rate buffers, developer field descriptions) are cut out of the
file and parsed by fitparse itself, so their names, enums, sub-fields and time stamps are
fitparse's by construction rather than by imitation.

Where fitfast 0.1 reads records differently, fitparse's reading is restored on the way: a zero
header checksum (see :func:`_checkable`), re-rounded ``enhanced_speed``/``enhanced_altitude``
(see :func:`_mirrored_expansions`), chained blocks (decoded one by one, see :func:`_blocks`),
compressed time stamp headers (see :class:`_Clock`), and the fields it expands differently or
reads with the profile's type instead of the declared one, which are read from their bytes
(see :class:`_Expansions` and :mod:`.components`). Where the two decoders differ in ways that
are not restored, the file is declined:

- anything fitfast refuses (it checks both checksums strictly, and fitparse reports a file
  checksum mismatch as a status, not an error), or that fitparse fails on;
- bytes that are not a sequence of whole FIT blocks, a header that declares no data;
- compressed time stamp headers on a message fitparse reads here whose time stamp depends on
  messages it does not;
- fields of no FIT base type (fitfast's Rust core panics on them);
- record fields whose layout the restorations above do not cover (a canonical field of another
  base type, a field with a time type written as an array, an expanding field of an unusual
  size, ...);
- developer fields on records that share a key with a native field in fitfast's output,
  that are described twice differently or used before (or while not) described, that are
  arrays or strings, or whose scale fitfast applies but fitparse ignores when the value feeds a
  canonical column.
"""

from __future__ import annotations

import importlib.metadata
import io
import re
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import ModuleType
from typing import Any, Protocol

import fitparse
import polars as pl
from fitparse.profile import MESSAGE_TYPES
from fitparse.records import BASE_TYPE_BYTE, BASE_TYPES, DEV_TYPES, Crc, DefinitionMessage, DevField, Field

from . import columns as C
from . import devfields

fitfast: ModuleType | None
try:
    import fitfast

    from . import components  # numpy, which it needs, comes with fitfast
except ImportError:  # the optional extra is not installed
    fitfast = None

#: The installed fitfast version, or None when the ``fast`` extra is not installed.
FITFAST_VERSION: str | None = importlib.metadata.version("fitfast") if fitfast is not None else None

#: Seconds between the Unix epoch (fitfast's time stamps) and the FIT epoch (raw FIT values).
_FIT_EPOCH_S = 631065600
_RECORD_NUM = 20
_TIMESTAMP_NUM = 253
_RECORD = MESSAGE_TYPES[_RECORD_NUM]
_RECORD_NAMES: frozenset[str] = frozenset(f.name for f in _RECORD.fields.values())
#: Messages that carry developer field metadata; fitparse must see them to name developer fields.
_DEVELOPER_MESSAGES = frozenset({206, 207})


def _mirrored_expansions() -> dict[str, str]:
    """Record fields that fitparse expands into a wider twin with the very same value.

    ``speed`` -> ``enhanced_speed`` and ``altitude`` -> ``enhanced_altitude``: the component
    takes all the field's bits with the field's scale and offset, so fitparse's expanded value
    equals the field's. fitfast re-rounds the expansion (a raw speed of 4079 becomes 4.078 m/s
    instead of 4.079), so the adapter takes the expanded value from the field itself.
    """
    mirrored = {}
    for num in (2, 6):
        source = _RECORD.fields[num]
        (component,) = source.components
        same = (component.bits, component.scale, component.offset)
        if same != (8 * source.base_type.size, source.scale, source.offset):
            raise RuntimeError(f"fitparse's profile no longer expands {source.name} into an equal value")
        mirrored[source.name] = _RECORD.fields[component.def_num].name
    return mirrored


_MIRRORED: dict[str, str] = _mirrored_expansions()
#: (expanded native field, field expanded into it): fitfast overwrites the first with the second.
_EXPANSION_TARGETS = ((73, 6), (78, 2))
#: Field types fitparse post-processes in ways that can fail on odd values or shapes.
_PROCESSED_TYPES = frozenset({"date_time", "local_date_time", "localtime_into_day"})
_BYTE = 0x0D
#: Base types whose invalid value is all bits set (uint8, uint16, uint32).
_ALL_ONES_INVALID = frozenset({0x02, 0x84, 0x86})
_BASE_TYPE_NUMBERS = frozenset(base.identifier & 0x1F for base in BASE_TYPES.values())
_STRING = 0x07
#: How fitfast names the columns of fields its profile does not know.
_UNKNOWN = re.compile(r"^unknown_(\d+)$")


class _Decline(Exception):
    """This file is not decoded on the fast path (the message says why, for debugging)."""


class MessageSink(Protocol):
    """What :func:`feed_fast` needs from the collector in :mod:`.reader`."""

    @property
    def MESSAGES(self) -> frozenset[str]: ...
    other_messages: int

    def add(self, message: Any) -> None: ...

    def add_record_columns(
        self, timestamps: pl.Series, fields: pl.DataFrame, developer: Mapping[str, DevField], present: Iterable[str]
    ) -> None: ...


def available() -> bool:
    return fitfast is not None


def feed_fast(data: bytes, sink: MessageSink) -> int:
    """Feed every message of ``data`` to ``sink`` as fitparse would; the number of chained FIT
    blocks read, or 0 to decline.

    On 0 the sink may hold part of the file and must be discarded. Never raises for bad
    bytes: whatever goes wrong, fitparse decides.
    """
    if fitfast is None:
        return 0
    saved = _save_developer_types()
    try:
        return _feed(data, sink)
    except _Decline:
        pass
    except BaseException as exc:
        # A Rust panic surfaces as pyo3's PanicException, which is not an Exception subclass.
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise
    _restore_developer_types(saved)
    return 0


def _save_developer_types() -> dict[Any, dict[str, Any]]:
    """A copy of fitparse's process-wide developer field registry.

    fitparse keeps developer field descriptions in a module global that outlives each file, so
    a file that uses a field without describing it reads whatever an earlier file described.
    The fast path feeds this file's descriptions to fitparse early; when it then declines, the
    registry goes back to how it was, so the full parse starts from the same state as without
    the fast path.
    """
    return {index: {**entry, "fields": dict(entry["fields"])} for index, entry in DEV_TYPES.items()}


def _restore_developer_types(saved: dict[Any, dict[str, Any]]) -> None:
    DEV_TYPES.clear()
    DEV_TYPES.update(saved)


def _feed(data: bytes, sink: MessageSink) -> int:
    """The fast path; raises :class:`_Decline` as soon as it cannot match fitparse.

    The cheap checks (the scan, fitparse on the few other messages) run before fitfast sees the
    bytes, which also keeps malformed input away from fitfast, whose Rust core panics on some.
    A chained file is decoded block by block, the way fitparse reads it: each block starts
    afresh (local definitions, accumulated values, time stamps), while developer field
    descriptions carry over; the reference stream chains the blocks' other messages the same way.
    """
    blocks = _blocks(data)
    wanted = _wanted_numbers(sink.MESSAGES)
    layouts = [_layout(block, wanted) for block in blocks]
    plan = _replay_others(b"".join(layout.reference for layout in layouts), sink)
    records = _RecordColumns.build(plan)
    records.feed([_checkable(block) for block in blocks], layouts, sink)
    sink.other_messages += sum(layout.skipped for layout in layouts)
    return len(blocks)


def _blocks(data: bytes) -> list[bytes]:
    """The FIT blocks ``data`` chains (header, data and checksum each), or decline.

    Every byte must belong to a block whose header declares its data; anything else (bytes
    after the last block, a block that runs past the end, a header that declares no data) is
    what fitparse reports as a break or repairs, so only fitparse reads it.
    """
    blocks: list[bytes] = []
    pos = 0
    while pos < len(data):
        header_size = data[pos]
        if header_size not in (12, 14) or pos + header_size > len(data) or data[pos + 8 : pos + 12] != b".FIT":
            raise _Decline("not a sequence of whole FIT blocks")
        (data_size,) = struct.unpack_from("<I", data, pos + 4)
        end = pos + header_size + data_size + 2
        if data_size == 0 or end > len(data):
            raise _Decline("not a sequence of whole FIT blocks")
        blocks.append(data[pos:end])
        pos = end
    return blocks


# -- the message scan -------------------------------------------------------------------------


@dataclass
class _Layout:
    """Where a file's messages are, split by who decodes them."""

    #: Number of ``record`` data messages (decoded by fitfast).
    records: int
    #: A FIT stream of every definition and the data messages fitparse reads on this path.
    reference: bytes
    #: Data messages neither fitfast nor fitparse reads here (the collector only counts them).
    skipped: int
    #: Each record's raw FIT time stamp as fitparse derives it, when the block has compressed
    #: time stamp headers (None: take fitfast's).
    times: list[int | None] | None = None
    #: Where the record fields fitparse expands into others sit, by field number.
    expanding: dict[int, components.RawField] = field(default_factory=dict)


@lru_cache(maxsize=4)
def _wanted_numbers(names: frozenset[str]) -> frozenset[int]:
    """Global numbers of the messages the collector reads, other than records."""
    wanted = {num for num, mt in MESSAGE_TYPES.items() if mt.name in names}
    return frozenset(wanted - {_RECORD_NUM} | _DEVELOPER_MESSAGES)


def _layout(data: bytes, wanted: frozenset[int]) -> _Layout:
    """Walk the message headers of one FIT block (see :func:`_blocks`); decline anything unusual.

    Blocks with compressed time stamp headers are walked a second time with a :class:`_Clock`,
    which costs a little per message; the others never pay for it.
    """
    try:
        return _walk(data, wanted, None)
    except _NeedsClock:
        return _walk(data, wanted, _Clock())


def _walk(data: bytes, wanted: frozenset[int], clock: _Clock | None) -> _Layout:
    header_size = data[0]
    end = len(data) - 2
    definitions: dict[int, tuple[int, int, bool, _Stamp, tuple[tuple[int, int, int], ...]]] = {}
    expanding: dict[int, components.RawField] = {}
    spans: list[list[int]] = []
    records = skipped = 0
    pos = header_size
    while pos < end:
        head = data[pos]
        offset: int | None = None
        if not head & 0xC0:  # a data message with a normal header, by far the most common
            if head & 0x30:
                raise _Decline("reserved bits set in a data message header")
            local = head & 0x0F
        elif head & 0x80:
            if clock is None:
                raise _NeedsClock
            offset = head & 0x1F
            local = head >> 5 & 0x03
        else:
            definition = _definition(data, pos, head, wanted)
            definitions[head & 0x0F] = definition.message
            for number, _, size in definition.expanding:
                raw = expanding.setdefault(number, components.RawField(size))
                if raw.size != size:
                    raise _Decline("an expanding record field defined with two sizes")
                raw.declarations += 1
            _keep(spans, pos, definition.stop)
            pos = definition.stop
            continue
        number, size, replayed, stamp, packed = definitions[local]  # KeyError: undefined local message
        stop = pos + 1 + size
        if number == _RECORD_NUM:
            if clock is not None:
                clock.tick(_stamp(data, pos, stamp), offset, record=True, replayed=False)
            if packed:
                for field_number, at, _ in packed:
                    expanding[field_number].add(records, pos + 1 + at)
            elif clock is None:
                # The records that follow with the same header byte have this definition and this
                # size: step over the run of them at once (most of a file is one such run).
                while stop < end and data[stop] == head:
                    stop += 1 + size
                    records += 1
            records += 1
        else:
            if clock is not None:
                clock.tick(_stamp(data, pos, stamp), offset, record=False, replayed=replayed)
            if replayed:
                _keep(spans, pos, stop)
            else:
                skipped += 1
        pos = stop
    if pos != end:
        raise _Decline("the last message runs past the data")
    body = b"".join(data[a:b] for a, b in spans)
    file_header = struct.pack("<B", 12) + data[1:4] + struct.pack("<I", len(body)) + b".FIT"
    reference = file_header + body + b"\x00\x00"
    return _Layout(records, reference, skipped, clock.records if clock is not None else None, expanding)


class _NeedsClock(Exception):
    """The block has compressed time stamp headers: walk it again with a :class:`_Clock`."""


#: Where a definition's ``timestamp`` field sits in its data messages: (offset, struct format);
#: None when there is none; :data:`_ODD_STAMP` when it is not a single uint32.
_Stamp = tuple[int, str] | None
_ODD_STAMP: _Stamp = (-1, "")
_UINT32 = 0x86
_INVALID_UINT32 = 0xFFFFFFFF


def _stamp(data: bytes, pos: int, stamp: _Stamp) -> int | None:
    """The raw ``timestamp`` field of the data message at ``pos``; None when absent or invalid."""
    if stamp is None:
        return None
    if stamp is _ODD_STAMP:
        raise _Decline("a timestamp field that is not a single uint32, with compressed time stamps")
    at, fmt = stamp
    (raw,) = struct.unpack_from(fmt, data, pos + 1 + at)
    return None if raw == _INVALID_UINT32 else int(raw)


@dataclass
class _Clock:
    """fitparse's running time stamp for compressed time stamp headers, followed twice.

    fitparse keeps the last ``timestamp`` field it read, of any message, and adds each
    compressed header's five-bit offset to it. fitfast decodes the records, but its reading of
    compressed headers is not fitparse's, so the clock gives each record fitparse's time stamp.
    The reference stream (see :class:`_Layout`) lacks the records and skipped messages, so its
    clock may differ: a replayed message whose compressed time stamp would differ declines.
    """

    full: int = 0
    reference: int = 0
    records: list[int | None] = field(default_factory=list)

    def tick(self, raw: int | None, offset: int | None, *, record: bool, replayed: bool) -> None:
        if raw is not None:
            self.full = raw
            if replayed:
                self.reference = raw
        if offset is not None:
            raw = self.full = _rolled(offset, self.full)
            if replayed:
                self.reference = _rolled(offset, self.reference)
                if self.reference != self.full:
                    raise _Decline("a compressed time stamp that depends on messages fitparse does not see here")
        if record:
            self.records.append(raw)


def _rolled(offset: int, last: int) -> int:
    """The time stamp a compressed header's five-bit ``offset`` gives after ``last`` (fitparse's rule)."""
    value = offset + (last & ~0x1F)
    return value + 0x20 if offset < (last & 0x1F) else value


def _checkable(data: bytes) -> bytes:
    """``data`` with its header checksum filled in when the writer left it at zero.

    Many writers (older Garmin units among them) leave the optional header checksum at zero,
    which the FIT protocol allows. fitfast 0.1 then checks the file checksum over the data
    alone, while the protocol (and fitparse) computes it over header and data, so fitfast
    rejects every such sound file. Filling in the header checksum and adjusting the file
    checksum by the same change makes fitfast check exactly what fitparse checks: a file whose
    checksum was wrong stays wrong, and fitfast still rejects it.
    """
    if data[0] != 14 or data[12:14] != b"\x00\x00":
        return data
    header_crc = Crc.calculate(data[:12])
    (stored,) = struct.unpack_from("<H", data, len(data) - 2)
    # The checksum is linear: changing two bytes changes it by the checksum of those two bytes
    # followed by as many zero bytes as the data holds.
    change = _crc_after_zeros(Crc.calculate(struct.pack("<H", header_crc)), len(data) - 16)
    return data[:12] + struct.pack("<H", header_crc) + data[14:-2] + struct.pack("<H", stored ^ change)


def _crc_after_zeros(crc: int, count: int) -> int:
    """The FIT checksum ``crc`` after ``count`` more zero bytes, in O(log count) steps."""
    # The effect of one zero byte on each bit of the state, as a 16x16 matrix over GF(2).
    step = [Crc.calculate(b"\x00", crc=1 << bit) for bit in range(16)]
    while count:
        if count & 1:
            crc = _apply(step, crc)
        step = [_apply(step, column) for column in step]
        count >>= 1
    return crc


def _apply(matrix: list[int], vector: int) -> int:
    result = 0
    for bit, column in enumerate(matrix):
        if vector >> bit & 1:
            result ^= column
    return result


def _keep(spans: list[list[int]], start: int, stop: int) -> None:
    if spans and spans[-1][1] == start:
        spans[-1][1] = stop
    else:
        spans.append([start, stop])


#: Record fields with components that fitfast does not expand as fitparse does (see
#: :mod:`.components`); the mirrored ones it does (see :func:`_mirrored_expansions`) are not here.
_EXPANDING: frozenset[int] = frozenset(
    num for num, f in _RECORD.fields.items() if f.components and f.name not in _MIRRORED
)


#: Native enhanced fields -> the field expanded into them (see :meth:`_Expansions.shadow`).
_SHADOWING = dict(_EXPANSION_TARGETS)


@dataclass(frozen=True)
class _Definition:
    stop: int
    #: (global number, data size, replayed by fitparse, where its time stamp is, where the
    #: expanding record fields are: (field number, offset, size) each)
    message: tuple[int, int, bool, _Stamp, tuple[tuple[int, int, int], ...]]

    @property
    def expanding(self) -> tuple[tuple[int, int, int], ...]:
        return self.message[4]


def _definition(data: bytes, pos: int, head: int, wanted: frozenset[int]) -> _Definition:
    """Where the definition at ``pos`` ends and what it says about its data messages."""
    if head & 0x10:
        raise _Decline("reserved bit set in a definition header")
    arch = data[pos + 2]
    if arch > 1:
        raise _Decline("unknown architecture byte")
    number = int.from_bytes(data[pos + 3 : pos + 5], "big" if arch else "little")
    count = data[pos + 5]
    fields = tuple(data[pos + 6 + 3 * i : pos + 9 + 3 * i] for i in range(count))
    stop = pos + 6 + 3 * count
    size = sum(f[1] for f in fields)
    dev_numbers: list[int] = []
    if head & 0x20:
        dev_count = data[stop]
        dev_numbers = [data[stop + 1 + 3 * i] for i in range(dev_count)]
        size += sum(data[stop + 2 + 3 * i] for i in range(dev_count))
        stop += 1 + 3 * dev_count
    if stop > len(data):
        raise _Decline("definition runs past the end")
    layout = tuple((f[0], f[1], f[2]) for f in fields)
    if any(base & 0x1F not in _BASE_TYPE_NUMBERS for _, _, base in layout):
        raise _Decline("a field of no FIT base type (fitfast panics on those)")
    replayed = number in wanted or (number != _RECORD_NUM and not _quiet(number, layout))
    stamp = _stamp_place(layout, dev_numbers, ">I" if arch else "<I")
    return _Definition(stop, (number, size, replayed, stamp, _expanding_places(number, layout)))


def _expanding_places(number: int, layout: tuple[tuple[int, int, int], ...]) -> tuple[tuple[int, int, int], ...]:
    """(field number, offset in the data message, size) of each expanding record field."""
    if number != _RECORD_NUM:
        return ()
    places = []
    at = 0
    numbers = [num for num, _, _ in layout]
    for index, (num, size, base) in enumerate(layout):
        known = _RECORD.fields.get(num)
        if (
            num in _EXPANDING
            or (num in _SHADOWING and _SHADOWING[num] in numbers[index + 1 :])
            or (known is not None and base != known.base_type.identifier)
        ):
            places.append((num, at, size))
        at += size
    return tuple(places)


def _stamp_place(layout: tuple[tuple[int, int, int], ...], dev_numbers: list[int], fmt: str) -> _Stamp:
    """Where the time stamp fitparse's clock follows sits (fitparse follows field 253 of any kind)."""
    stamps = [i for i, (num, _, _) in enumerate(layout) if num == _TIMESTAMP_NUM]
    if not stamps and _TIMESTAMP_NUM not in dev_numbers:
        return None
    if len(stamps) != 1 or _TIMESTAMP_NUM in dev_numbers or layout[stamps[0]][1:] != (4, _UINT32):
        return _ODD_STAMP
    return sum(size for _, size, _ in layout[: stamps[0]]), fmt


@lru_cache(maxsize=1024)
def _quiet(number: int, layout: tuple[tuple[int, int, int], ...]) -> bool:
    """True when fitparse cannot fail on any data message of this definition.

    Messages of such definitions may be skipped: the collector only counts them. fitparse fails
    on a few shapes (a time stamp that is an array or a float, a time of day past midnight,
    components over arrays), so definitions with those are replayed through fitparse instead.
    """
    message = MESSAGE_TYPES.get(number)
    for num, size, base in layout:
        known = message.fields.get(num) if message else None
        if known is None:
            continue
        base_type = BASE_TYPES.get(base, BASE_TYPE_BYTE)  # fitparse reads unknown types as bytes
        if base_type.identifier != known.base_type.identifier:
            return False
        scalar = size == base_type.size
        if known.components and not scalar and base != _BYTE:
            return False
        types = _rendered_types(message.fields, known)
        if "localtime_into_day" in types or (types & _PROCESSED_TYPES and not scalar):
            return False
    return True


def _rendered_types(fields: dict[int, Field], known: Field) -> set[str]:
    """Every profile type a field's value can be rendered as (itself, sub-fields, components)."""
    types = {known.type.name}
    types.update(sub.type.name for sub in known.subfields or ())
    for component in known.components or ():
        target = fields[component.def_num]
        types.add(target.type.name)
        types.update(sub.type.name for sub in target.subfields or ())
    return types


# -- fitparse for everything but records -------------------------------------------------------


@dataclass
class _DeveloperFields:
    """Developer field metadata as the file declares it, in file order."""

    #: Developer data index -> its application id.
    ids: dict[int, Any] = field(default_factory=dict)
    #: (developer data index, field number) -> the field description's values.
    described: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    #: Described fields whose developer data id was declared again since: fitparse forgets
    #: their descriptions until they are given again.
    stale: set[tuple[int, int]] = field(default_factory=set)

    def add(self, message: Any) -> None:
        if message.name == "developer_data_id":
            index = message.get_raw_value("developer_data_index")
            application = message.get_raw_value("application_id")
            if self.ids.setdefault(index, application) != application:
                raise _Decline("developer data id declared twice, differently")
            self.stale |= {key for key in self.described if key[0] == index}
        elif message.name == "field_description":
            if devfields.incomplete(message):
                raise _Decline("a developer field description without a field number or type")
            values = message.get_values()
            key = (values.get("developer_data_index"), values.get("field_definition_number"))
            if key[0] not in self.ids:
                raise _Decline("developer field described before its developer data id")
            if self.described.get(key, values) != values:
                raise _Decline("developer field described twice, differently")
            self.described[key] = values
            self.stale.discard(key)

    def usable(self, key: tuple[int, int]) -> bool:
        return key in self.described and key not in self.stale


@dataclass
class _RecordPlan:
    """What the record definitions say, as fitparse parsed them."""

    definitions: list[DefinitionMessage]
    developer: _DeveloperFields


def _replay_others(reference: bytes, sink: MessageSink) -> _RecordPlan:
    """Parse the non-record messages with fitparse and feed them to ``sink``."""
    developer = _DeveloperFields()
    definitions: list[DefinitionMessage] = []
    fit = fitparse.FitFile(io.BytesIO(reference), check_crc=False)
    try:
        for message in fit.get_messages(with_definitions=True):
            if message.type == "definition":
                _check_developer_sizes(message)
                if message.mesg_num == _RECORD_NUM:
                    _check_described(message, developer)
                    definitions.append(message)
                continue
            developer.add(message)
            sink.add(message)
    except _Decline:
        raise
    except Exception as exc:
        raise _Decline(f"fitparse: {type(exc).__name__}: {exc}") from exc
    finally:
        fit.close()
    return _RecordPlan(definitions, developer)


def _check_developer_sizes(definition: DefinitionMessage) -> None:
    """fitparse reads a developer field of odd size misaligned; only the full parse knows how."""
    for dev in definition.dev_field_defs:
        if dev.size % dev.field.type.size:
            raise _Decline("developer field size is not a multiple of its type")


def _check_described(definition: DefinitionMessage, developer: _DeveloperFields) -> None:
    """fitparse resolves developer fields from process-wide state: insist on this file's own."""
    for dev in definition.dev_field_defs:
        if not developer.usable((dev.dev_data_index, dev.def_num)):
            raise _Decline("record developer field used before this file describes it")


# -- records from fitfast --------------------------------------------------------------------


@dataclass
class _RecordColumns:
    """Turns fitfast's record columns into the columns fitparse's records would give.

    fitfast's profile is newer than fitparse's, so columns are renamed to fitparse's names:
    fields fitparse's profile does not know are left out (fitparse calls them ``unknown_<n>``,
    which readers ignore), and fields only fitparse knows, which fitfast calls ``unknown_<n>``,
    get fitparse's name. Developer fields keep their described name.
    """

    developer: dict[str, DevField]
    #: Fitparse names of the native fields the record definitions declare.
    declared: set[str]
    #: Array fields fitparse reports even when every element is invalid, which fitfast drops:
    #: each must hold a valid value somewhere for the two to agree.
    arrays: set[str]
    expansions: _Expansions

    @classmethod
    def build(cls, plan: _RecordPlan) -> _RecordColumns:
        developer: dict[str, DevField] = {}
        keys: dict[str, tuple[int, int]] = {}
        declared: set[str] = set()
        arrays: set[str] = set()
        expansions = _Expansions()
        unknown_natives: set[tuple[int, int, int]] = set()
        for definition in plan.definitions:
            _check_natives(definition, declared, arrays, expansions, unknown_natives)
            for dev in definition.dev_field_defs:
                _check_developer_field(dev, plan.developer, developer, keys)
        for name in developer:
            if name in _RECORD_NAMES or _UNKNOWN.match(name) or name in _fitfast_names(frozenset(unknown_natives)):
                raise _Decline(f"developer field {name!r} shares its key with a native field in fitfast")
        return cls(developer=developer, declared=declared, arrays=arrays, expansions=expansions)

    def feed(self, blocks: list[bytes], layouts: list[_Layout], sink: MessageSink) -> None:
        """Decode the records of each FIT block with fitfast and hand them to ``sink`` as columns."""
        frames = [_block_records(block, lay.records, lay.times) for block, lay in zip(blocks, layouts, strict=True)]
        raw = pl.concat(frames, how="diagonal") if len(frames) > 1 else frames[0]
        count = raw.height
        columns = {name: raw.get_column(key).alias(name) for key in raw.columns if (name := self._name(key)) is not None}
        stamps = columns.pop("timestamp", None)
        timestamps = (stamps - _FIT_EPOCH_S) if stamps is not None else pl.Series([None] * count, dtype=pl.Float64)
        frame = pl.DataFrame(list(columns.values())).with_columns(
            pl.coalesce([c for c in (source, target) if c in columns]).alias(target)
            for source, target in _MIRRORED.items()
            if source in columns
        )
        frame = self.expansions.without_retyped(self.expansions.speed_distance(blocks, layouts, frame))
        frame = self.expansions.first_natives(blocks, layouts, frame)
        present = self._present_arrays(blocks, set(columns)) | self.expansions.present(blocks, layouts)
        sink.add_record_columns(timestamps, frame, self.developer, present)

    def _name(self, key: str) -> str | None:
        """fitparse's name for fitfast's column ``key``, or None when fitparse has none."""
        if key in self.developer or key in _RECORD_NAMES:
            return key
        unknown = _UNKNOWN.match(key)
        known = _RECORD.fields.get(int(unknown.group(1))) if unknown else None
        return known.name if known is not None else None

    def _present_arrays(self, blocks: list[bytes], columns: set[str]) -> set[str]:
        """Declared fields with a valid value that fitfast keeps out of its columns.

        fitfast's columns hold numeric scalars only, so array fields are missing, and so are
        fields with no valid value at all; fitfast's message dicts tell the two apart.
        """
        unseen = self.declared - columns - C.NATIVE_FIELDS - self.expansions.names
        if self.arrays - unseen:
            raise _Decline("an array field that fitfast reads as a single value")
        if not unseen:
            return set()
        assert fitfast is not None  # feed_fast returns before this without it
        keys: set[str | int] = set()
        for block in blocks:
            keys.update(*fitfast.parse(block, enum_names=False, datetimes=False).get("record", []))
        present = unseen & {self._name(key if isinstance(key, str) else f"unknown_{key}") for key in keys}
        if not self.arrays <= present:
            raise _Decline("an array field that fitparse reports never held a valid value")
        return present


def _block_records(block: bytes, count: int, times: list[int | None] | None) -> pl.DataFrame:
    """fitfast's record columns of one FIT block, which the scan found ``count`` records in.

    ``times``: the records' raw time stamps as fitparse reads them, when they differ from
    fitfast's reading (see :class:`_Clock`).
    """
    assert fitfast is not None  # feed_fast returns before this without it
    try:
        raw = fitfast.records(block, "record", degrees=False)
    except fitfast.FitDecodeError as exc:
        raise _Decline(f"fitfast: {exc}") from exc
    if any(len(values) != count for values in raw.values()):
        raise _Decline("fitfast and the message scan disagree on the number of records")
    # NaN is fitfast's "no value", None fitparse's.
    columns = {key: pl.Series(key, values, nan_to_null=True) for key, values in raw.items()}
    if times is not None or not columns:  # without columns: still one row per record
        stamps = pl.Series("timestamp", times if times is not None else [None] * count, dtype=pl.Float64)
        columns["timestamp"] = stamps + _FIT_EPOCH_S
    return pl.DataFrame(list(columns.values()))


@dataclass
class _Expansions:
    """How the record definitions declare the fields :mod:`.components` expands."""

    #: For ``speed`` and ``distance``: does the native field come before
    #: ``compressed_speed_distance`` in the definitions (the collector keeps a message's first value)?
    native_first: dict[str, set[bool]] = field(default_factory=dict)
    #: Field number -> its name and the names of the fields it expands into, for fields whose
    #: values the collector never reads, only whether they hold one.
    presence: dict[int, tuple[str, ...]] = field(default_factory=dict)
    #: Native ``enhanced_*`` fields declared before the field that expands into them.
    shadowed: set[int] = field(default_factory=set)
    #: Fields declared with another base type than the profile's, and those declared with it.
    retyped: set[int] = field(default_factory=set)
    typed: set[int] = field(default_factory=set)

    @property
    def names(self) -> set[str]:
        return {name for group in self.presence.values() for name in group}

    def check(self, definition: DefinitionMessage, fd: Any) -> None:
        """Decline an expanding field this module cannot give fitparse's values for."""
        known = fd.field
        if known.subfields or known.def_num not in _EXPANDING:
            raise _Decline(f"record field {known.name} expands differently in fitfast")
        if known.def_num == components.SPEED_DISTANCE:
            if fd.base_type.identifier != _BYTE or fd.size != components.SPEED_DISTANCE_SIZE:
                raise _Decline("compressed_speed_distance of an unusual size")
            order = [f.def_num for f in definition.field_defs]
            for native in (5, 6):
                first = native in order and order.index(native) < order.index(known.def_num)
                self.native_first.setdefault(_RECORD.fields[native].name, set()).add(first)
            self.presence[known.def_num] = (known.name,)  # speed and distance are columns
            return
        targets = [_RECORD.fields[component.def_num] for component in known.components]
        if (
            fd.size != fd.base_type.size
            or fd.base_type.identifier not in _ALL_ONES_INVALID
            or any(t.name in C.NATIVE_FIELDS or t.subfields or t.type.name in _PROCESSED_TYPES for t in targets)
        ):
            raise _Decline(f"record field {known.name} expands differently in fitfast")
        self.presence[known.def_num] = (known.name, *(t.name for t in targets))

    def retype(self, fd: Any) -> None:
        """A field declared with another base type: fitfast reads the profile's type (a uint8 0xFF
        is then a valid sint8 -1), fitparse the declared one. Only fields whose presence alone
        the collector reads are taken, their presence from their bytes."""
        known = fd.field
        if (
            known.name in C.NATIVE_FIELDS
            or known.components
            or known.subfields
            or _rendered_types(_RECORD.fields, known) & _PROCESSED_TYPES
            or fd.size != fd.base_type.size
            or fd.base_type.identifier not in _ALL_ONES_INVALID
        ):
            raise _Decline(f"record field {known.name} defined with another base type")
        self.retyped.add(known.def_num)
        self.presence[known.def_num] = (known.name,)

    def without_retyped(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` without fitfast's readings of retyped fields (see :meth:`retype`)."""
        if self.retyped & self.typed:
            raise _Decline("a record field declared both with the profile's base type and another")
        return frame.drop([_RECORD.fields[number].name for number in self.retyped], strict=False)

    def shadow(self, fd: Any, endian: str) -> None:
        """A native ``enhanced_*`` field before the field that expands into it.

        fitparse keeps the first value of a message, so the native value wins where it is valid;
        fitfast keeps the expansion, so the native values are read from their bytes.
        """
        if endian != "<" or fd.size != fd.base_type.size or fd.base_type.identifier != _UINT32:
            raise _Decline("native enhanced field before the field expanded into it, of an unusual layout")
        self.shadowed.add(fd.def_num)

    def present(self, blocks: list[bytes], layouts: list[_Layout]) -> set[str]:
        """The names the presence-only expansions make present (a value anywhere)."""
        present: set[str] = set()
        for number, names in self.presence.items():
            raws = [(block, layout.expanding[number]) for block, layout in zip(blocks, layouts, strict=True)
                    if number in layout.expanding and layout.expanding[number].rows]
            if any(raw.valid(block).any() for block, raw in raws):
                present.update(names)
        return present

    def first_natives(self, blocks: list[bytes], layouts: list[_Layout], frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with the valid values of shadowed native fields in place of the expansion."""
        for number in sorted(self.shadowed):
            native = _RECORD.fields[number]
            values = pl.concat(
                [
                    components.scaled_uint32(block, layout.expanding[number], layout.records, native.scale or 1.0,
                                             native.offset or 0.0)
                    if number in layout.expanding
                    else pl.Series([None] * layout.records, dtype=pl.Float64)
                    for block, layout in zip(blocks, layouts, strict=True)
                ]
            )
            mixed = [pl.lit(values)] + ([pl.col(native.name)] if native.name in frame.columns else [])
            frame = frame.with_columns(pl.coalesce(mixed).alias(native.name))
        return frame

    def speed_distance(self, blocks: list[bytes], layouts: list[_Layout], frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with fitparse's speed and distance where records hold compressed_speed_distance."""
        if not self.native_first:
            return frame
        parts = [
            components.speed_distance(block, layout.expanding[components.SPEED_DISTANCE], layout.records)
            if components.SPEED_DISTANCE in layout.expanding
            else (pl.Series([None] * layout.records, dtype=pl.Float64),) * 2
            for block, layout in zip(blocks, layouts, strict=True)
        ]
        packed = {"speed": pl.concat([p[0] for p in parts]), "distance": pl.concat([p[1] for p in parts])}
        merged = []
        for name, values in packed.items():
            orders = self.native_first[name]
            if len(orders) != 1:
                raise _Decline(f"record definitions order {name} and compressed_speed_distance differently")
            pair = [pl.col(name), pl.lit(values)] if name in frame.columns else [pl.lit(values)]
            merged.append(pl.coalesce(pair if orders == {True} else pair[::-1]).alias(name))
        return frame.with_columns(merged)


def _check_natives(
    definition: DefinitionMessage,
    declared: set[str],
    arrays: set[str],
    expansions: _Expansions,
    unknown: set[tuple[int, int, int]],
) -> None:
    """Decline record fields the two decoders read differently; note those fitparse does not know
    in ``unknown`` as (field number, size, base type)."""
    order = [fd.def_num for fd in definition.field_defs]
    for native, expanded in _EXPANSION_TARGETS:
        if native in order and expanded in order and order.index(native) < order.index(expanded):
            expansions.shadow(definition.field_defs[order.index(native)], definition.endian)
    for fd in definition.field_defs:
        known = fd.field
        if known is None:
            unknown.add((fd.def_num, fd.size, fd.base_type.identifier))
            continue
        declared.add(known.name)
        if fd.base_type.identifier != known.base_type.identifier:
            expansions.retype(fd)
        else:
            expansions.typed.add(known.def_num)
        if known.components and known.name not in _MIRRORED:
            expansions.check(definition, fd)
        if fd.base_type.identifier == _STRING:
            raise _Decline("string record field")
        if fd.size != fd.base_type.size and fd.base_type.identifier != _BYTE:
            if known.type.name in _PROCESSED_TYPES or known.components:
                raise _Decline(f"record field {known.name} is an array")
            if known.name not in C.NATIVE_FIELDS:  # the collector reads no number from an array
                arrays.add(known.name)


@lru_cache(maxsize=256)
def _fitfast_names(fields: frozenset[tuple[int, int, int]]) -> frozenset[str]:
    """Every key fitfast gives record fields that fitparse's profile does not know.

    fitfast's profile is newer: it may name such a field (and what the field expands into) like
    a developer field, and its output would then hold both under one key. Asking fitfast itself,
    on one record holding a value in each of these fields, tells which names are taken.
    """
    assert fitfast is not None  # feed_fast returns before this without it
    layout = sorted(fields)
    definition = struct.pack("<BBBHB", 0x40, 0, 0, _RECORD_NUM, len(layout))
    definition += b"".join(struct.pack("<BBB", *f) for f in layout)
    body = definition + b"\x00" + b"".join(b"\x01" * size for _, size, _ in layout)
    head = struct.pack("<BBHI4s", 12, 0x20, 2132, len(body), b".FIT")
    probe = head + body
    probe += struct.pack("<H", Crc.calculate(probe))
    try:
        records = fitfast.parse(probe, enum_names=False, datetimes=False).get("record", [])
    except fitfast.FitDecodeError as exc:
        raise _Decline(f"fitfast cannot read the fields fitparse does not know: {exc}") from exc
    return frozenset(key for record in records for key in record if isinstance(key, str))


def _check_developer_field(
    dev: Any, described: _DeveloperFields, developer: dict[str, DevField], keys: dict[str, tuple[int, int]]
) -> None:
    """Decline developer fields whose record values fitfast may present differently."""
    field_ = dev.field
    name = field_.name
    if name.startswith("unnamed_dev_field_"):
        raise _Decline("unnamed developer field")
    if dev.size != field_.type.size or field_.type.identifier in (_STRING, _BYTE):
        raise _Decline(f"developer field {name!r} is an array, a string or bytes")
    key = (dev.dev_data_index, dev.def_num)
    if keys.setdefault(name, key) != key:
        raise _Decline(f"two developer fields named {name!r}")
    developer[name] = field_
    if C.dev_column_for(name, field_.native_field_num):
        values = described.described[(dev.dev_data_index, dev.def_num)]
        if values.get("scale") not in (None, 1) or values.get("offset") not in (None, 0):
            raise _Decline(f"developer field {name!r} is scaled (fitparse ignores the scale)")


def decline_reason(data: bytes, sink: MessageSink) -> str | None:
    """Why ``data`` does not take the fast path, or None when it does (for diagnostics)."""
    if fitfast is None:
        return "fitfast is not installed"
    try:
        _feed(data, sink)
    except _Decline as exc:
        return str(exc)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None
