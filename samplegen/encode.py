"""Write one workout as a FIT activity file with the Garmin FIT SDK encoder.

The message layout follows what Garmin devices produce: ``file_id``,
``device_info`` (creator plus paired sensors), developer field definitions,
a timer start event, 1 Hz ``record`` messages with ``lap`` and ``set``
messages interleaved when they end, a timer stop, the final lap, the
``session`` and an ``activity`` carrying ``local_timestamp``.  Every
timestamp derives from the spec, so nothing depends on the wall clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from garmin_fit_sdk import Encoder, Profile

from .catalog import FLOAT32, DevField, KindInfo, device_for, kind_info
from .model import Device, LapSpan, StrengthSet, Trace, WorkoutSpec
from .signals import build_trace

Mesg = dict[str, Any]

MESG_NUM: dict[str, int] = {name: num for num, name in Profile["types"]["mesg_num"].items()}
DEV_KEY = 0
KCAL_PER_EFFORT_SECOND = 0.22
"""Rough energy cost: one second at full heart-rate reserve burns ~0.22 kcal."""


@dataclass(frozen=True)
class Rendered:
    """Encoded file bytes plus the record count the manifest reports."""

    data: bytes
    records: int


@dataclass(frozen=True)
class Recording:
    """How a workout is recorded: start, device, activity profile, developer field."""

    t0: int
    device: Device
    sport: str
    sub_sport: str
    dev: DevField | None
    info: KindInfo

    @classmethod
    def of(cls, spec: WorkoutSpec) -> Recording:
        info = kind_info(spec.kind)
        sport, sub_sport = spec.profile or (info.sport, info.sub_sport)
        return cls(spec.fit_start, device_for(spec.athlete, info), sport, sub_sport, info.dev_field, info)

    def is_native(self, channel: str) -> bool:
        """False for the channel a developer field carries instead of the native field."""
        return self.dev is None or self.dev.source != channel

    def record_field(self, channel: str) -> str:
        """FIT record field name of a trace channel on this device."""
        if self.device.enhanced_fields and channel in ("speed", "altitude"):
            return f"enhanced_{channel}"
        return channel


def mesg(name: str, **fields: Any) -> Mesg:
    """A message dict for the SDK encoder; ``None`` values are left out of the definition."""
    return {"mesg_num": MESG_NUM[name], **fields}


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _climb(altitude: Sequence[float], threshold: float = 1.0) -> tuple[float, float]:
    """Total ascent and descent with a dead band, so barometer noise is not counted."""
    up = down = 0.0
    ref = altitude[0]
    for h in altitude:
        if h - ref >= threshold:
            up += h - ref
            ref = h
        elif ref - h >= threshold:
            down += ref - h
            ref = h
    return up, down


def summary(trace: Trace, start: int, end: int, rec: Recording) -> Mesg:
    """Fields shared by laps and sessions, summarised over records ``[start, end)``."""
    ch = trace.channels
    out: Mesg = {
        "timestamp": rec.t0 + end,
        "start_time": rec.t0 + start,
        "total_elapsed_time": float(end - start),
        "total_timer_time": float(end - start),
    }
    if "distance" in ch:
        before = ch["distance"][start - 1] if start else 0.0
        distance = ch["distance"][end - 1] - before
        top = max(ch["speed"][start:end])
        out |= {"total_distance": distance, "avg_speed": distance / (end - start), "max_speed": top}
        if rec.device.enhanced_fields:
            out |= {"enhanced_avg_speed": out["avg_speed"], "enhanced_max_speed": top}
    if "heart_rate" in ch:  # a gym console without a chest strap records none
        hr = ch["heart_rate"][start:end]
        out |= {"avg_heart_rate": round(_mean(hr)), "max_heart_rate": max(hr)}
    if "cadence" in ch:
        moving = [c for c in ch["cadence"][start:end] if c > 0] or [0]
        out |= {"avg_cadence": round(_mean(moving)), "max_cadence": max(moving)}
    if "power" in ch and rec.is_native("power"):
        watts = ch["power"][start:end]
        out |= {"avg_power": round(_mean(watts)), "max_power": max(watts)}
    if "altitude" in ch:
        up, down = _climb(ch["altitude"][start:end])
        out |= {"total_ascent": round(up), "total_descent": round(down)}
    out["total_calories"] = round(sum(trace.effort[start:end]) * KCAL_PER_EFFORT_SECOND)
    return out


def lap_mesg(trace: Trace, lap: LapSpan, index: int, rec: Recording) -> Mesg:
    return mesg(
        "lap",
        message_index=index,
        event="lap",
        event_type="stop",
        lap_trigger=lap.trigger,
        intensity=lap.intensity,
        sport=rec.sport,
        sub_sport=rec.sub_sport,
        **summary(trace, lap.start, lap.end, rec),
    )


def session_mesg(trace: Trace, rec: Recording) -> Mesg:
    fields = summary(trace, 0, trace.n, rec)
    if "position_lat" in trace.channels:
        fields["start_position_lat"] = trace.channels["position_lat"][0]
        fields["start_position_long"] = trace.channels["position_long"][0]
    return mesg(
        "session",
        message_index=0,
        event="session",
        event_type="stop",
        sport=rec.sport,
        sub_sport=rec.sub_sport,
        first_lap_index=0,
        num_laps=len(trace.laps),
        trigger="activity_end",
        **fields,
    )


def activity_mesg(spec: WorkoutSpec, trace: Trace) -> Mesg:
    """The closing ``activity``; its local_timestamp is what reveals the athlete's UTC offset."""
    end = spec.fit_start + trace.n
    return mesg(
        "activity",
        timestamp=end,
        total_timer_time=float(trace.n),
        num_sessions=1,
        type="manual",
        event="activity",
        event_type="stop",
        local_timestamp=end + spec.utc_offset_s(spec.end_utc),
    )


def set_mesg(item: StrengthSet, index: int, t0: int) -> Mesg:
    """A FIT ``set``; rest sets carry no exercise, as on Garmin watches."""
    fields: Mesg = {
        "timestamp": t0 + item.start + item.seconds,
        "start_time": t0 + item.start,
        "duration": float(item.seconds),
        "set_type": "active" if item.active else "rest",
        "message_index": index,
    }
    if item.active:
        fields |= {
            "category": [item.category],
            "category_subtype": [item.subtype],
            "repetitions": item.reps,
            "weight": item.weight_kg,
            "weight_display_unit": "kilogram",
        }
    return mesg("set", **fields)


def header_mesgs(spec: WorkoutSpec, rec: Recording) -> list[Mesg]:
    """file_id and device_info for the recording device and its paired sensors."""
    device = rec.device
    out = [
        mesg(
            "file_id",
            type="activity",
            manufacturer=device.manufacturer,
            product=device.product,
            serial_number=device.serial_number,
            time_created=rec.t0,
            product_name=None if device.manufacturer == "garmin" else device.product_name,
        ),
        mesg(
            "device_info",
            timestamp=rec.t0,
            device_index=0,
            manufacturer=device.manufacturer,
            product=device.product,
            serial_number=device.serial_number,
            software_version=device.software_version,
            source_type="local",
        ),
    ]
    worn = spec.athlete.sensors if device == spec.athlete.watch else ()
    for index, sensor in enumerate(worn + rec.info.sensors, start=1):
        out.append(
            mesg(
                "device_info",
                timestamp=rec.t0,
                device_index=index,
                device_type=sensor.device_type,
                manufacturer=sensor.manufacturer,
                product=sensor.product,
                serial_number=sensor.serial_number,
                source_type=sensor.source_type,
            )
        )
    return out


def developer_mesgs(dev: DevField) -> tuple[Mesg, Mesg]:
    """developer_data_id + field_description of a Connect IQ app's single field.

    The application id is derived from the field name, so it is stable
    across runs and distinct between the two apps.  No native field number
    is declared: like many store apps, the field is known by name only.
    """
    app_id = list(hashlib.sha256(f"samplegen-ciq-{dev.field_name}".encode()).digest()[:16])
    data_id = mesg(
        "developer_data_id",
        developer_data_index=0,
        application_id=app_id,
        manufacturer_id="garmin",
        application_version=112,
    )
    description = mesg(
        "field_description",
        developer_data_index=0,
        field_definition_number=DEV_KEY,
        fit_base_type_id=dev.base_type,
        field_name=dev.field_name,
        units=dev.units,
    )
    return data_id, description


def record_mesgs(trace: Trace, rec: Recording) -> Iterator[Mesg]:
    """The 1 Hz records; a developer field's source channel is written only as that field."""
    channels = trace.channels.items()
    native = [(rec.record_field(name), values) for name, values in channels if rec.is_native(name)]
    dev_values = trace.channels[rec.dev.source] if rec.dev else None
    as_float = rec.dev is not None and rec.dev.base_type == FLOAT32
    for i in range(trace.n):
        fields: Mesg = {"mesg_num": MESG_NUM["record"], "timestamp": rec.t0 + i}
        for name, values in native:
            fields[name] = values[i]
        if dev_values is not None:
            value = dev_values[i]
            fields["developer_fields"] = {DEV_KEY: float(value) if as_float else round(value)}
        yield fields


def encode_workout(spec: WorkoutSpec, trace: Trace, rec: Recording | None = None) -> bytes:
    """Encode a generated trace as FIT bytes, recorded as the kind says or as ``rec`` says
    (another device, another clock: see ``pair``)."""
    rec = rec or Recording.of(spec)
    encoder = Encoder()
    for message in header_mesgs(spec, rec):
        encoder.write_mesg(message)
    if rec.dev:
        data_id, description = developer_mesgs(rec.dev)
        encoder.add_developer_field(DEV_KEY, data_id, description)
        encoder.write_mesg(data_id)
        encoder.write_mesg(description)
    encoder.write_mesg(mesg("event", timestamp=rec.t0, event="timer", event_type="start", event_group=0))

    laps = [lap_mesg(trace, lap, k, rec) for k, lap in enumerate(trace.laps)]
    trailing: dict[int, list[Mesg]] = {}
    for lap, message in zip(trace.laps[:-1], laps, strict=False):
        trailing.setdefault(lap.end - 1, []).append(message)
    for k, item in enumerate(trace.sets):
        trailing.setdefault(item.start + item.seconds - 1, []).append(set_mesg(item, k, rec.t0))
    for i, record in enumerate(record_mesgs(trace, rec)):
        encoder.write_mesg(record)
        for message in trailing.get(i, ()):
            encoder.write_mesg(message)

    end = rec.t0 + trace.n
    encoder.write_mesg(mesg("event", timestamp=end, event="timer", event_type="stop_all", event_group=0))
    encoder.write_mesg(laps[-1])
    encoder.write_mesg(session_mesg(trace, rec))
    encoder.write_mesg(activity_mesg(spec, trace))
    return encoder.close()


def render_workout(spec: WorkoutSpec) -> Rendered:
    """Generate and encode a workout in memory."""
    trace = build_trace(spec)
    return Rendered(encode_workout(spec, trace), trace.n)


def write_workout(spec: WorkoutSpec, path: Path) -> Path:
    """Generate a workout and write it to ``path`` (parents are created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_workout(spec).data)
    return path
