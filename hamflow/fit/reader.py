"""Decode one FIT file into a :class:`~hamflow.fit.types.FitResult`.

fitparse does the byte-level work. This module adds what real files need on top of it:

- a stable, typed error for every way a file can be broken, and salvage of the sound part of a
  file that breaks off (a watch that died mid-write still recorded the first hour);
- canonical, unit-bearing columns whatever the device called them (see :mod:`.columns`);
- records split into sessions (multisport files), chained FIT blocks, buffered heart rate from
  chest straps merged back onto the records;
- the device's UTC offset, so a workout lands in the athlete's local week.

With the optional fitfast package installed, most sound files are decoded about thirty times
faster (see :mod:`.fast`); the result is the same, and anything else is decoded by fitparse.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Final, Literal

import polars as pl
from fitparse.records import DevField
from fitparse.utils import FitCRCError, FitEOFError, FitHeaderError, FitParseError

from . import columns as C
from . import devfields, fast
from .errors import FitDecodeError
from .hr import merge_buffered_hr
from .lean import LeanFitFile
from .types import DecoderName, DecodeStatus, Event, FileIdentity, FitResult, Session, StrengthSet

devfields.install()

#: Seconds between the Unix epoch and the FIT epoch (1989-12-31 00:00 UTC).
FIT_EPOCH_S = 631065600
#: Largest plausible offset of local time from UTC (UTC+14 is the extreme).
MAX_UTC_OFFSET = timedelta(hours=14)
#: FIT timestamps below 0x10000000 are seconds since the device powered on, not dates.
_ABSOLUTE_TIME_MIN = datetime.fromtimestamp(FIT_EPOCH_S + 0x10000000, UTC)

#: Environment variable that picks the decoder when the caller does not: ``auto`` (fitfast when
#: installed, fitparse for what it declines), ``fitparse`` (the reference only) or ``fitfast``
#: (like ``auto``, but an error when fitfast is missing). Worker processes inherit it.
DECODER_ENV: Final = "HAMFLOW_DECODER"
DECODER_CHOICES: Final = ("auto", "fitparse", "fitfast")


_Route = Literal["time", "column", "present", "skip"]

#: fitparse keeps developer field descriptions in a registry shared by the whole process, which
#: both decoders read and change while they parse a file (:func:`.fast._save_developer_types`):
#: threads of one process parse one file at a time, so each parse sees the registry as a
#: process decoding the files one after another would. Building the frames runs outside it.
_PARSING = threading.Lock()


class DecoderUnavailable(RuntimeError):
    """The requested decoder cannot run here (a setup problem, not a problem with a file)."""


@cache
def decoder_version(decoder: DecoderName) -> str:
    """The installed version of ``decoder``, as stored next to every decoded file (looked up
    once: reading package metadata costs milliseconds, and every prepared file records it)."""
    return importlib.metadata.version(decoder)


def resolve_decoder(decoder: str | None = None) -> DecoderName:
    """The decoder to try first for ``decoder`` (None: ``$HAMFLOW_DECODER``, default ``auto``)."""
    choice = (decoder if decoder is not None else os.environ.get(DECODER_ENV) or "auto").strip().lower()
    if choice not in DECODER_CHOICES:
        raise ValueError(f"unknown FIT decoder {choice!r} (from {DECODER_ENV} or decoder=): use one of {DECODER_CHOICES}")
    if choice == "fitfast" and not fast.available():
        raise DecoderUnavailable(
            f"the fitfast decoder was requested ({DECODER_ENV}=fitfast or decoder='fitfast') but fitfast "
            "is not installed: pip install 'hamflow[fast]', or use fitparse"
        )
    if choice == "fitparse" or not fast.available():
        return "fitparse"
    return "fitfast"


def read_fit(
    path: str | os.PathLike[str], *, keep_positions: bool = False, decoder: str | None = None
) -> FitResult:
    """Read and decode the FIT file at ``path``.

    Raises :class:`FitDecodeError` (and nothing else) when the file cannot be decoded. A file
    that breaks off after sound data is returned with ``status="truncated"`` and a warning.
    ``decoder`` is ``auto``, ``fitparse`` or ``fitfast`` (see :data:`DECODER_ENV`); a decoder that
    cannot run raises :class:`DecoderUnavailable` (or ``ValueError`` for an unknown name).
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise FitDecodeError("unreadable", f"cannot read {path}: {exc.strerror or exc}") from exc
    return decode_fit_bytes(data, path=str(path), keep_positions=keep_positions, decoder=decoder)


def decode_fit_bytes(
    data: bytes, *, path: str = "<bytes>", keep_positions: bool = False, decoder: str | None = None
) -> FitResult:
    """Decode FIT ``data`` (the bytes of one file). See :func:`read_fit`.

    ``FitResult.decoder`` says which decoder produced the result: fitfast only when it could
    reproduce fitparse's result exactly, fitparse otherwise (including every error).
    """
    first = resolve_decoder(decoder)
    _check_signature(data)
    if first == "fitfast":
        result = try_fast_decode(data, path=path, keep_positions=keep_positions)
        if result is not None:
            return result
    collector = _Collector(keep_positions=keep_positions)
    with _PARSING:
        status, warnings, blocks = _parse_into(data, collector)
    return _result(data, path, collector, status, warnings, blocks, "fitparse")


def try_fast_decode(data: bytes, *, path: str = "<bytes>", keep_positions: bool = False) -> FitResult | None:
    """The fast path alone: fitparse's result computed with fitfast, or None when it declines.

    Separate from :func:`decode_fit_bytes` so a comparison with the reference (or a benchmark)
    can see which files take the fast path without paying for fitparse on the others.
    """
    if len(data) < 12 or data[8:12] != b".FIT":
        return None
    collector = _Collector(keep_positions=keep_positions)
    with _PARSING:
        blocks = fast.feed_fast(data, collector)
    if not blocks or not collector.has_data:
        return None
    return _result(data, path, collector, "ok", [], blocks, "fitfast")


def _result(
    data: bytes,
    path: str,
    collector: _Collector,
    status: DecodeStatus,
    warnings: list[str],
    blocks: int,
    decoder: DecoderName,
) -> FitResult:
    sessions = collector.build_sessions()
    return FitResult(
        path=path,
        identity=collector.identity(data),
        status=status,
        sessions=sessions,
        events=tuple(collector.events),
        sets=tuple(collector.sets),
        utc_offset_min=collector.utc_offset_min(),
        record_count=collector.n_records,
        fields_present=tuple(sorted(collector.fields_present)),
        warnings=tuple(warnings + collector.warnings),
        chained_blocks=blocks,
        decoder=decoder,
    )


def _check_signature(data: bytes) -> None:
    if not data:
        raise FitDecodeError("empty_file")
    if len(data) < 12:
        raise FitDecodeError("not_fit", f"only {len(data)} bytes: too short for a FIT header")
    if data[8:12] != b".FIT":
        raise FitDecodeError("not_fit", "no '.FIT' signature in its header")


class _TolerantFitFile(LeanFitFile):
    """fitparse's reader (records read leanly, see :mod:`.lean`), counting chained blocks and
    repairing one common writer bug.

    Some writers never back-fill the header's data size and leave it 0 although messages
    follow; fitparse then sees an empty file. When the size is 0 and bytes remain, the data is
    taken to run to the final two CRC bytes.
    """

    #: ``_Collector._add_record`` reads a record's time stamp as its raw value, so turning every
    #: one into a ``datetime`` first (fitparse's ``date_time`` processor) would be work for nothing.
    RAW_FIELDS = frozenset({"timestamp"})

    _bytes_left: int  # fitparse's own count of the data bytes still to read
    _filesize: int

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.blocks = 0
        self.in_header = False
        self.repaired_size = False
        self.incomplete_descriptions = 0
        super().__init__(*args, **kwargs)

    def _parse_data_message(self, header: Any) -> Any:
        message = super()._parse_data_message(header)
        if message.name == "field_description" and devfields.incomplete(message):
            self.incomplete_descriptions += 1
        return message

    def _parse_file_header(self) -> None:
        self.in_header = True
        self.blocks += 1
        super()._parse_file_header()
        remaining: int = self._filesize - self._file.tell()
        bytes_left: int = self._bytes_left
        if bytes_left == 0 and remaining > 2:
            self._bytes_left = remaining - 2
            self.repaired_size = True
        self.in_header = False


def _parse_into(data: bytes, collector: _Collector) -> tuple[DecodeStatus, list[str], int]:
    """Feed every message of ``data`` to ``collector``; classify any break."""
    try:
        fit = _TolerantFitFile(io.BytesIO(data), check_crc=True)
    except FitCRCError as exc:
        raise FitDecodeError("bad_header", f"header checksum is wrong ({exc})") from exc
    except FitEOFError as exc:
        raise FitDecodeError("truncated", "the file ends inside its header") from exc
    except FitParseError as exc:
        raise FitDecodeError("bad_header", str(exc)) from exc
    except Exception as exc:  # fitparse can fail in many ways on hostile bytes
        raise FitDecodeError("bad_header", f"{type(exc).__name__}: {exc}") from exc

    warnings: list[str] = []
    try:
        for message in fit.get_messages():
            collector.add(message)
    except Exception as exc:
        reason, detail = _classify_break(exc, fit)
        blocks = max(fit.blocks, 1)
        if not collector.has_salvage:
            raise FitDecodeError(reason, detail) from exc
        if fit.repaired_size:
            warnings.append("header declares no data; read the messages that follow it")
        if reason == "crc_mismatch" and not fit.in_header:
            warnings.append(f"crc_mismatch: {detail}")
            return "crc_mismatch", warnings, blocks
        warnings.append(f"{reason}: {detail}; kept what was read before the break")
        return "truncated", warnings, blocks
    finally:
        fit.close()
    if fit.repaired_size:
        warnings.append("header declares no data; read the messages that follow it")
    if fit.incomplete_descriptions:
        warnings.append(f"{fit.incomplete_descriptions} developer field descriptions without a field number or type: "
                        "those fields were ignored")
    if not collector.has_data:
        raise FitDecodeError("no_data")
    return "ok", warnings, fit.blocks


def _classify_break(exc: BaseException, fit: _TolerantFitFile) -> tuple[str, str]:
    text = str(exc) or type(exc).__name__
    if fit.in_header and fit.blocks > 1:
        return "corrupt_chained_header", f"FIT block {fit.blocks}: {text}"
    if isinstance(exc, FitEOFError):
        return "truncated", text
    if isinstance(exc, FitCRCError):
        return "crc_mismatch", text
    if isinstance(exc, FitHeaderError):
        return "bad_header", text
    if isinstance(exc, FitParseError):
        lowered = text.lower()
        if "field size" in lowered:
            return "bad_field_size", text
        if "local message type" in lowered:
            return "undefined_local_message", text
        return "malformed", text
    return "malformed", f"{type(exc).__name__}: {text}"


def _number(value: Any) -> float | None:
    """Numeric FIT values as float; anything else (strings, arrays, invalid) as None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _aware(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass
class _SessionMsg:
    sport: str
    sub_sport: str | None
    start_utc: datetime | None
    elapsed_s: float | None
    timer_s: float | None
    distance_m: float | None
    max_speed_mps: float | None = None
    max_power_w: float | None = None
    total_ascent_m: float | None = None


@dataclass
class _Collector:
    """Accumulates the messages of one file; builds the typed result at the end."""

    #: The messages :meth:`add` reads; every other message is only counted.
    MESSAGES: ClassVar[frozenset[str]] = frozenset(
        {"record", "file_id", "session", "event", "set", "activity", "hr", "sport"}
    )

    keep_positions: bool
    n_records: int = 0
    columns: dict[str, list[float | None]] = field(default_factory=dict)
    ts_us: list[int | None] = field(default_factory=list)
    # The same two, when the records arrive as columns (add_record_columns).
    column_series: dict[str, pl.Series] = field(default_factory=dict)
    ts_series: pl.Series | None = None
    fields_present: set[str] = field(default_factory=set)
    dev_columns: dict[str, str] = field(default_factory=dict)  # "dev:Name" -> canonical column
    file_ids: list[dict[str, Any]] = field(default_factory=list)
    session_msgs: list[_SessionMsg] = field(default_factory=list)
    sport_msgs: list[tuple[str, str | None]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    sets: list[StrengthSet] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    hr_messages: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    other_messages: int = 0

    @property
    def has_data(self) -> bool:
        return bool(self.n_records or self.session_msgs or self.file_ids or self.other_messages)

    @property
    def has_salvage(self) -> bool:
        """Worth returning after a break: records or a session were read before it."""
        return bool(self.n_records or self.session_msgs)

    # -- dispatch ---------------------------------------------------------------------------

    def add(self, message: Any) -> None:
        name = message.name
        if name == "record":
            self._add_record(message)
        elif name == "file_id":
            self.file_ids.append(message.get_values())
        elif name == "session":
            self._add_session(message.get_values())
        elif name == "event":
            v = message.get_values()
            self.events.append(
                Event(_aware(v.get("timestamp")), _text(v.get("event")), _text(v.get("event_type")))
            )
        elif name == "set":
            self._add_set(message.get_values())
        elif name == "activity":
            self.activities.append(message.get_values())
        elif name == "hr":
            self.hr_messages.append(message.get_values())
        elif name == "sport":
            v = message.get_values()
            self.sport_msgs.append((_text(v.get("sport")) or "generic", _text(v.get("sub_sport"))))
        else:
            self.other_messages += 1

    def _route(self, name: str, dev: DevField | None) -> tuple[_Route, str]:
        """Where a record field's values go, whichever way the records arrive.

        ``time``: the record's time stamp. ``column``: a numeric column (native fields the
        canonical columns draw on, developer fields that feed one), keyed by ``key``.
        ``present``: only noted in ``fields_present``. ``skip``: fields fitparse has no name for.
        """
        if dev is not None:
            key = "dev:" + name
            if key not in self.dev_columns:
                self.dev_columns[key] = C.dev_column_for(name, dev.native_field_num) or ""
            return ("column" if self.dev_columns[key] else "present"), key
        if name == "timestamp":
            return "time", name
        if name in C.NATIVE_FIELDS:
            return "column", name
        return ("skip" if name.startswith("unknown") else "present"), name

    def _add_record(self, message: Any) -> None:
        i = self.n_records
        ts: int | None = None
        for fd in message.fields:
            value = fd.value
            if value is None:
                continue
            route, key = self._route(fd.name, fd.field if isinstance(fd.field, DevField) else None)
            if route == "time":
                raw = fd.raw_value
                if isinstance(raw, int):
                    ts = (raw + FIT_EPOCH_S) * 1_000_000
                continue
            if route != "column":
                if route == "present":
                    self.fields_present.add(key)
                continue
            number = _number(value)
            if number is None:
                continue
            self.fields_present.add(key)
            column = self.columns.get(key)
            if column is None:
                column = self.columns[key] = [None] * i
            if len(column) > i:  # a field repeated in one message (component expansion)
                continue
            column.append(number)
        self.ts_us.append(ts)
        self.n_records = i + 1
        for column in self.columns.values():
            if len(column) <= i:
                column.append(None)

    def add_record_columns(
        self, timestamps: pl.Series, fields: pl.DataFrame, developer: Mapping[str, DevField], present: Iterable[str]
    ) -> None:
        """All records of a file at once, as columns; the same rules as record by record.

        ``timestamps`` holds raw FIT times (null where a record has none). ``fields`` has one
        Float64 column per record field, named as fitparse names it and null where a record
        holds no valid value; ``developer`` maps the developer fields among them to their
        descriptions. ``present`` names fields without a column that hold a valid value.
        """
        if self.n_records:
            raise RuntimeError("records were already added one by one")
        self.n_records = timestamps.len()
        self.ts_series = (timestamps.cast(pl.Int64) + FIT_EPOCH_S) * 1_000_000
        for series in fields.iter_columns():
            if series.null_count() == series.len():
                continue
            route, key = self._route(series.name, developer.get(series.name))
            if route in ("column", "present"):
                self.fields_present.add(key)
            if route == "column":
                self.column_series[key] = series
        for name in present:
            route, key = self._route(name, None)
            if route == "present":
                self.fields_present.add(key)

    def _add_session(self, v: dict[str, Any]) -> None:
        self.session_msgs.append(
            _SessionMsg(
                sport=_text(v.get("sport")) or "generic",
                sub_sport=_text(v.get("sub_sport")),
                start_utc=_aware(v.get("start_time")) or _aware(v.get("timestamp")),
                elapsed_s=_number(v.get("total_elapsed_time")),
                timer_s=_number(v.get("total_timer_time")),
                distance_m=_number(v.get("total_distance")),
                max_speed_mps=_number(v.get("enhanced_max_speed")) or _number(v.get("max_speed")),
                max_power_w=_number(v.get("max_power")),
                total_ascent_m=_number(v.get("total_ascent")),
            )
        )

    def _add_set(self, v: dict[str, Any]) -> None:
        category = v.get("category")
        if isinstance(category, (list, tuple)):
            categories = tuple(str(c) for c in category if c is not None)
        elif category is None:
            categories = ()
        else:
            categories = (str(category),)
        reps = v.get("repetitions")
        self.sets.append(
            StrengthSet(
                ts_utc=_aware(v.get("start_time")) or _aware(v.get("timestamp")),
                set_type=_text(v.get("set_type")),
                categories=categories,
                repetitions=int(reps) if isinstance(reps, int) else None,
                weight_kg=_number(v.get("weight")),
                duration_s=_number(v.get("duration")),
            )
        )

    # -- results ------------------------------------------------------------------------------

    def identity(self, data: bytes) -> FileIdentity:
        v = self.file_ids[0] if self.file_ids else {}
        product = v.get("garmin_product") or v.get("product_name") or v.get("product")
        serial = v.get("serial_number")
        return FileIdentity(
            sha256=hashlib.sha256(data).hexdigest(),
            size_bytes=len(data),
            file_type=_text(v.get("type")),
            manufacturer=_text(v.get("manufacturer")),
            product=_text(product),
            serial_number=int(serial) if isinstance(serial, int) else None,
            time_created=_aware(v.get("time_created")),
        )

    def utc_offset_min(self) -> int | None:
        """Local minus UTC time of the device, rounded to 15 minutes (all real zones are)."""
        for v in self.activities:
            local, utc = v.get("local_timestamp"), v.get("timestamp")
            if isinstance(local, datetime) and isinstance(utc, datetime):
                offset = local - utc
                if abs(offset) <= MAX_UTC_OFFSET:
                    return round(offset.total_seconds() / 900.0) * 15
        return None

    def _raw_frame(self) -> pl.DataFrame:
        ts = self.ts_series if self.ts_series is not None else pl.Series(self.ts_us, dtype=pl.Int64)
        data: dict[str, pl.Series] = {"ts_utc": ts.alias("ts_utc").cast(pl.Datetime("us", "UTC"))}
        for name, values in self.columns.items():
            data[name] = pl.Series(name, values, dtype=pl.Float64)
        for name, series in self.column_series.items():
            data[name] = series.alias(name).cast(pl.Float64)
        return pl.DataFrame(data)

    def _canonical(self, raw: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, str | None]]:
        """Coalesce each canonical column from its candidates, best first, row by row."""
        present = set(raw.columns)
        exprs: list[pl.Expr] = [pl.col("ts_utc")]
        sources: dict[str, str | None] = {}
        for column, dtype in C.RECORD_SCHEMA.items():
            if column == "ts_utc":
                continue
            candidates = [c for c in C.NATIVE_CANDIDATES[column] if c in present]
            candidates += [k for k, col in self.dev_columns.items() if col == column and k in present]
            non_empty = [c for c in candidates if raw[c].null_count() < raw.height]
            sources[column] = non_empty[0] if non_empty else None
            if not non_empty:
                exprs.append(pl.lit(None, dtype=dtype).alias(column))
                continue
            value = pl.coalesce([pl.col(c) for c in non_empty])
            if column == "cadence" and "fractional_cadence" in present:
                value = value + pl.col("fractional_cadence").fill_null(0.0)
            exprs.append(value.cast(dtype).alias(column))
        if self.keep_positions:
            for native, column in (("position_lat", "lat_deg"), ("position_long", "lon_deg")):
                expr = pl.col(native) * C.SEMICIRCLE_TO_DEG if native in present else pl.lit(None)
                exprs.append(expr.cast(pl.Float64).alias(column))
        return raw.select(exprs), sources

    def _hr_source(self, frame: pl.DataFrame, sources: dict[str, str | None]) -> pl.DataFrame:
        """Fill heart rate from buffered ``hr`` messages (chest strap memory) where absent."""
        if not self.hr_messages or frame.get_column("heart_rate_bpm").null_count() < frame.height:
            return frame
        merged = merge_buffered_hr(frame, self.hr_messages)
        if merged.get_column("heart_rate_bpm").null_count() < frame.height:
            sources["heart_rate_bpm"] = "hr_messages"
        return merged

    def build_sessions(self) -> tuple[Session, ...]:
        raw = self._raw_frame()
        frame, sources = self._canonical(raw)
        missing_ts = frame.get_column("ts_utc").null_count()
        if missing_ts:
            self.warnings.append(f"{missing_ts} records without a timestamp were dropped")
            frame = frame.filter(pl.col("ts_utc").is_not_null())
        frame = self._hr_source(frame, sources)
        if frame.height and frame.select(pl.col("ts_utc").min() < _ABSOLUTE_TIME_MIN).item():
            self.warnings.append(
                "timestamps count from device power-on, not from a calendar date: dates are unknown"
            )

        specs = list(self.session_msgs)
        synthetic = False
        if not specs:
            if frame.is_empty():
                return ()
            sport, sub_sport = self.sport_msgs[0] if self.sport_msgs else ("generic", None)
            specs = [_SessionMsg(sport, sub_sport, None, None, None, None)]
            synthetic = True
        specs.sort(key=lambda s: (s.start_utc is None, s.start_utc or datetime.min.replace(tzinfo=UTC)))

        parts = _split_by_start(frame, [s.start_utc for s in specs])
        sessions = []
        for index, (spec, part) in enumerate(zip(specs, parts, strict=False)):
            part = part.sort("ts_utc", maintain_order=True)
            start = spec.start_utc
            if start is None and part.height:
                start = part.get_column("ts_utc")[0]
            elapsed = spec.elapsed_s
            if elapsed is None and part.height:
                span = part.get_column("ts_utc")[-1] - part.get_column("ts_utc")[0]
                elapsed = span.total_seconds()
            session_sources = {
                k: (v if part.get_column(k).null_count() < part.height else None)
                for k, v in sources.items()
            }
            sessions.append(
                Session(
                    index=index,
                    sport=spec.sport,
                    sub_sport=spec.sub_sport,
                    start_utc=start,
                    elapsed_s=elapsed,
                    timer_s=spec.timer_s,
                    distance_m=spec.distance_m,
                    records=part,
                    sources=session_sources,
                    synthetic=synthetic,
                    max_speed_mps=spec.max_speed_mps,
                    max_power_w=spec.max_power_w,
                    total_ascent_m=spec.total_ascent_m,
                )
            )
        return tuple(sessions)


def _split_by_start(frame: pl.DataFrame, starts: Iterable[datetime | None]) -> list[pl.DataFrame]:
    """Give each record to the last session that started at or before it (the first session
    also takes records from before its start), so every record lands in exactly one session.

    ``starts`` is sorted with unknown starts last. A binary search per record and one
    partition keep this linear in records and sessions: a hostile file with thousands of
    session messages costs milliseconds, not minutes.
    """
    starts = list(starts)
    if len(starts) == 1:
        return [frame]
    known = [(s, i) for i, s in enumerate(starts[1:], start=1) if s is not None]
    if known:
        bounds = pl.Series([s for s, _ in known], dtype=pl.Datetime("us", "UTC"))
        owners = pl.Series([0] + [i for _, i in known], dtype=pl.Int32)
        position = bounds.search_sorted(frame.get_column("ts_utc"), side="right")
        labels = owners.gather(position)
    else:
        labels = pl.Series(values=[0] * frame.height, dtype=pl.Int32)
    parts = frame.with_columns(labels.alias("_session")).partition_by(
        "_session", as_dict=True, include_key=False, maintain_order=True
    )
    empty = frame.clear()
    return [parts.get((i,), empty) for i in range(len(starts))]
