"""fitparse's reading of ``record`` messages, without what the reader never looks at.

Records are almost all of a file. For each field of each record, fitparse builds a
``FieldData`` object and asks its data processor, by method-name lookup, three times whether
anything should change it; for the numbers a record holds the answer is almost always no. The
reader only reads each field's name, value, raw value and field (see ``_Collector._add_record``).

:class:`LeanFitFile` reads record messages with fitparse's own steps (its base types, sub-field
resolution, components and accumulation, scale and offset, rendering, compressed time stamps,
checksum), in fitparse's order, so every value is fitparse's by construction; what it leaves out
is the per-field object and the processor calls that cannot change anything: a field whose type,
name or units has a processor method still gets a real ``FieldData`` and all three processors.
A message is read in one piece instead of field by field (the checksum sees the same bytes);
when fewer bytes remain than the message needs, fitparse reads it as always, so a file that
ends inside a record breaks with fitparse's own error. Every other message is fitparse's.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any, NamedTuple

import fitparse
from fitparse.profile import FIELD_TYPE_TIMESTAMP
from fitparse.records import Crc, DataMessage, FieldData

_RECORD_NUM = 20


class _ByteTableCrc(Crc):  # type: ignore[misc]  # fitparse is untyped
    """fitparse's checksum, a byte at a time instead of a nibble at a time.

    FIT's checksum is CRC-16/ARC, which fitparse computes with the SDK's 16-entry table, two
    lookups and shifts per half byte. The 256-entry table below is built from fitparse's own
    function (the checksum of each single byte), and the usual byte-wise step over it gives the
    same value for any bytes: one lookup per byte, about a quarter of the work.
    """

    BYTE_TABLE: tuple[int, ...] = tuple(Crc.calculate(bytes([i])) for i in range(256))

    @classmethod
    def calculate(cls, byte_arr: bytes, crc: int = 0) -> int:
        table = cls.BYTE_TABLE
        for byte in byte_arr:
            crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
        return crc


class FieldValue(NamedTuple):
    """What the reader reads of one field of a record (a ``FieldData`` without the rest)."""

    name: str
    value: Any
    raw_value: Any
    field: Any


@dataclass(frozen=True)
class _Part:
    """One field of a record definition: where its bytes are and how fitparse unpacks them."""

    definition: Any  # fitparse's FieldDefinition or DevFieldDefinition
    unpack: struct.Struct
    offset: int
    is_byte: bool


@dataclass(frozen=True)
class _Plan:
    definition: Any  # the DefinitionMessage the plan was made for
    parts: tuple[_Part, ...]
    size: int


class LeanFitFile(fitparse.FitFile):  # type: ignore[misc]  # fitparse is untyped
    """A fitparse ``FitFile`` that reads record messages leanly (see the module's docstring)."""

    #: Record fields whose processors a subclass skips because its reader reads only their raw
    #: value (a processor turns a value into another, never into None or from None).
    RAW_FIELDS: frozenset[str] = frozenset()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._plans: dict[int, tuple[Any, _Plan | None]] = {}  # local number -> (definition, plan)
        self._processed: dict[tuple[str, str, str | None], bool] = {}
        super().__init__(*args, **kwargs)

    def _parse_file_header(self) -> None:
        super()._parse_file_header()
        running: Crc = self._crc
        self._crc: Crc = _ByteTableCrc(running.value)  # the same running value, computed faster

    def _parse_data_message(self, header: Any) -> Any:
        definition = self._local_mesgs.get(header.local_mesg_num)
        plan = self._plan(header.local_mesg_num, definition) if definition is not None else None
        if plan is None or self._filesize - self._file.tell() < plan.size:
            return super()._parse_data_message(header)
        return self._parse_record(header, plan)

    def _plan(self, local: int, definition: Any) -> _Plan | None:
        """How to read the records of ``definition``; None when fitparse reads them as always."""
        cached = self._plans.get(local)
        if cached is not None and cached[0] is definition:
            return cached[1]
        plan = self._make_plan(definition)
        self._plans[local] = (definition, plan)
        return plan

    def _make_plan(self, definition: Any) -> _Plan | None:
        if definition.mesg_num != _RECORD_NUM or self._has_processor(f"process_message_{definition.name}"):
            return None
        parts = []
        offset = 0
        for fd in definition.field_defs + definition.dev_field_defs:
            count = int(fd.size / fd.base_type.size)
            if count <= 0:
                return None  # fitparse raises on such a field: let it
            unpack = struct.Struct(definition.endian + str(count) + fd.base_type.fmt)
            parts.append(_Part(fd, unpack, offset, fd.base_type.name == "byte"))
            offset += unpack.size
        if not parts:
            return None
        return _Plan(definition, tuple(parts), offset)

    def _has_processor(self, method_name: str) -> bool:
        return hasattr(self._processor, self._processor._scrub_method_name(method_name))

    def _needs_processing(self, name: str, type_name: str, units: str | None) -> bool:
        key = (name, type_name, units)
        found = self._processed.get(key)
        if found is None:
            found = self._processed[key] = name not in self.RAW_FIELDS and (
                self._has_processor(f"process_type_{type_name}")
                or self._has_processor(f"process_field_{name}")
                or bool(units and self._has_processor(f"process_units_{units}"))
            )
        return found

    def _raw_values(self, plan: _Plan) -> list[Any]:
        """fitparse's raw values of one record, read in one piece (see ``_parse_raw_values_from_data_message``)."""
        data = self._read(plan.size)
        raws = []
        for part in plan.parts:
            unpacked = part.unpack.unpack_from(data, part.offset)
            parse = part.definition.base_type.parse
            if part.is_byte:
                raws.append(parse(unpacked))
            elif len(unpacked) > 1:
                raws.append(tuple(parse(v) for v in unpacked))
            else:
                raws.append(parse(unpacked[0]))
        return raws

    def _parse_record(self, header: Any, plan: _Plan) -> Any:
        """fitparse's ``_parse_data_message`` for one record, step for step, minus what cannot
        change a value."""
        definition = plan.definition
        raw_values = self._raw_values(plan)
        values: list[FieldValue] = []
        processed: list[tuple[int, FieldData]] = []
        for part, raw_value in zip(plan.parts, raw_values, strict=True):
            fd = part.definition
            field, parent = fd.field, None
            if field:
                field, parent = self._resolve_subfield(field, definition, raw_values)
                for component in field.components or ():
                    try:
                        cmp_raw = component.render(raw_value)
                    except ValueError:
                        continue
                    if component.accumulate and cmp_raw is not None:
                        accumulator = self._accumulators[definition.mesg_num]
                        cmp_raw = self._apply_compressed_accumulation(cmp_raw, accumulator[component.def_num],
                                                                      component.bits)
                        accumulator[component.def_num] = cmp_raw
                    cmp_raw = self._apply_scale_offset(component, cmp_raw)
                    cmp_field, cmp_parent = self._resolve_subfield(definition.mesg_type.fields[component.def_num],
                                                                   definition, raw_values)
                    self._add(values, processed, None, cmp_field, cmp_parent, cmp_field.render(cmp_raw), cmp_raw)
                value = self._apply_scale_offset(field, field.render(raw_value))
            else:
                value = raw_value
            if fd.def_num == FIELD_TYPE_TIMESTAMP.def_num and raw_value is not None:
                self._compressed_ts_accumulator = raw_value
            self._add(values, processed, fd, field, parent, value, raw_value)
        if header.time_offset is not None:
            stamp = self._compressed_ts_accumulator = self._apply_compressed_accumulation(
                header.time_offset, self._compressed_ts_accumulator, 5
            )
            self._add(values, processed, None, FIELD_TYPE_TIMESTAMP, None, FIELD_TYPE_TIMESTAMP.render(stamp), stamp)
        for index, data in processed:  # after every field is read, as fitparse runs them
            self._processor.run_type_processor(data)
            self._processor.run_field_processor(data)
            self._processor.run_unit_processor(data)
            values[index] = values[index]._replace(value=data.value)
        return DataMessage(header=header, def_mesg=definition, fields=values)

    def _add(self, values: list[FieldValue], processed: list[tuple[int, FieldData]], fd: Any, field: Any, parent: Any,
             value: Any, raw_value: Any) -> None:
        """Note one field's reading; a real ``FieldData`` for fitparse's processors when one applies."""
        name = field.name if field else f"unknown_{fd.def_num}"
        kind = field.type if field else fd.base_type
        if self._needs_processing(name, kind.name, field.units if field else None):
            data = FieldData(field_def=fd, field=field, parent_field=parent, value=value, raw_value=raw_value)
            processed.append((len(values), data))
        values.append(FieldValue(name, value, raw_value, field))
