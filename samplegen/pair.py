"""One workout recorded twice: by the gym machine and by the watch on the wrist.

The treadmill knows its incline and the erg its power but neither hears the heart; the watch
hears the heart but knows no incline or power. Both record the same seconds, each by its own
clock, and the athlete presses start on the watch a little after the machine. ``render_pair``
writes both files from one generated trace, so a test knows exactly what each one holds.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .encode import Recording, encode_workout
from .model import Device, LapSpan, Trace, WorkoutSpec
from .signals import build_trace

#: A treadmill console that writes its own FIT file (belt speed, incline, no heart rate).
TREADMILL = Device("technogym", 1, "Skillrun", 712_004_311, 3.1, enhanced_fields=False)

#: Streams the machine records and the watch does not, and the reverse.
MACHINE_ONLY = ("grade", "power")
WATCH_ONLY = ("heart_rate",)
#: What a watch worn on a machine still records besides heart rate (wrist cadence; a foot pod's
#: speed on a treadmill; nothing of the erg's power or the belt's incline).
WATCH_KEEPS = {"treadmill": ("speed", "distance", "cadence"), "row": ("cadence",)}


@dataclass(frozen=True)
class Pair:
    """The two files of one workout."""

    machine: bytes
    watch: bytes


def _channels(trace: Trace, keep: tuple[str, ...], skip: int) -> Trace:
    """``trace`` with only the channels in ``keep``, from second ``skip`` on, as one lap."""
    n = trace.n - skip
    channels = {k: v[skip:] for k, v in trace.channels.items() if k in keep}
    return Trace(n, channels, [LapSpan(0, n, "active", "session_end")], trace.effort[skip:])


def render_pair(spec: WorkoutSpec, *, watch_late_s: int = 6, watch_clock_s: int = 4) -> Pair:
    """The machine's and the watch's file of ``spec`` (a ``incline_walk`` or ``row`` kind).

    The watch starts ``watch_late_s`` seconds after the machine and its clock runs
    ``watch_clock_s`` seconds ahead of the machine's (negative: behind).
    """
    trace = build_trace(spec)
    base = Recording.of(spec)
    family = base.info.family
    if family not in WATCH_KEEPS:
        raise ValueError(f"no machine records a {spec.kind!r} workout: use an incline_walk or row kind")
    machine_device = TREADMILL if family == "treadmill" else base.device
    machine_keep = tuple(k for k in trace.channels if k not in WATCH_ONLY)
    machine = encode_workout(spec, _channels(trace, machine_keep, 0),
                             dataclasses.replace(base, device=machine_device, dev=None))
    watch_keep = (*WATCH_ONLY, *WATCH_KEEPS[family])
    watch_rec = dataclasses.replace(base, device=spec.athlete.watch, dev=None, t0=base.t0 + watch_late_s + watch_clock_s)
    watch = encode_workout(spec, _channels(trace, watch_keep, watch_late_s), watch_rec)
    return Pair(machine, watch)
