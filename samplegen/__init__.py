"""Seeded generator of realistic FIT activity files.

hamflow needs test data that looks like real watch and gym-console files
(noise, lags, devices, developer fields, DST, broken uploads) while being
reproducible to the byte.  This package produces it:

* ``build_month(seed)`` plans the committed two-athlete sample month,
* ``athlete_year(seed, n)`` plans ``n`` daily one-hour workouts for benchmarks,
* ``write_workout(spec, path)`` / ``render_workout(spec)`` generate one file,
* ``write_files(files, out_dir)`` / ``generate_month(out_dir, seed)`` write a
  plan and its ``manifest.json``.

Randomness comes only from ``random.Random`` seeded per workout, and all
timestamps derive from the plan, so the same seed gives identical bytes.
"""

from .catalog import ANA, ATHLETES, BEN, KINDS, KindInfo
from .encode import Rendered, encode_workout, render_workout, write_workout
from .generate import generate_month, render_file, write_files
from .manifest import MANIFEST_NAME, load_manifest, manifest_entry
from .model import Athlete, Device, Trace, WorkoutSpec
from .month import DEFAULT_SEED, build_month
from .plan import BROKEN_REASONS, PlannedFile
from .signals import build_trace
from .year import athlete_year

__all__ = [
    "ANA",
    "ATHLETES",
    "BEN",
    "BROKEN_REASONS",
    "DEFAULT_SEED",
    "KINDS",
    "MANIFEST_NAME",
    "Athlete",
    "Device",
    "KindInfo",
    "PlannedFile",
    "Rendered",
    "Trace",
    "WorkoutSpec",
    "athlete_year",
    "build_month",
    "build_trace",
    "encode_workout",
    "generate_month",
    "load_manifest",
    "manifest_entry",
    "render_file",
    "render_workout",
    "write_files",
    "write_workout",
]
