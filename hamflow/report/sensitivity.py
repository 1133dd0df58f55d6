"""How much the weekly balance depends on each ``p``: move one p by +-0.1, see what moves.

Every ``p`` of the model is an informed guess (docs/model.md, "Thin evidence"). This script
shows what each guess is worth: it classifies a folder of FIT files once, then reclassifies the
stored samples with one p moved down and up by 0.1 at a time (clipped to 0..1) and reports, per
athlete-week, how the weekly posterior share B moves, in percentage points, and how many
workouts change class (B is a share, 0..1; changes are in percentage points).

    python -m hamflow.report.sensitivity sample_fit [--config hamflow.toml] [--delta 0.1]

The athlete of a file is its folder's name (``sample_fit/ana/...``), its local week comes from
the file's UTC offset, else the athlete's configured time zone.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from hamflow.fit import FitDecodeError, read_fit
from hamflow.fit.types import StrengthSet
from hamflow.ingest.files import fit_paths as find_fit_files

from ..model.classify import ClassifiedSession, classify_file, reclassify
from ..model.config import HamflowConfig
from ..model.config_load import load_config
from ..model.patterns import PATTERNS
from ..model.weekly import weekly_table, workout_row

#: The p values varied, and the fields each one moves (a p that rises with grade moves its base
#: and its cap), from the patterns' declarations.
PARAMETERS: dict[str, tuple[str, ...]] = {s.pattern.value: s.share.varied for s in PATTERNS if s.share is not None}


@dataclass(frozen=True)
class Workout:
    """One classified session and what is needed to reclassify it and place it in a week."""

    athlete_id: str
    utc_offset_min: int | None
    timezone: str | None
    sets: tuple[StrengthSet, ...]
    classified: ClassifiedSession


def load_workouts(folder: Path, config: HamflowConfig) -> list[Workout]:
    """Decode and classify every FIT file under ``folder`` (undecodable files are skipped)."""
    out = []
    for path in find_fit_files([folder]):
        try:
            result = read_fit(path)
        except FitDecodeError:
            continue
        if result.status != "ok":
            continue  # a damaged file would be quarantined by an ingest, so leave it out here too
        athlete_id = path.parent.name
        timezone = config.profile(athlete_id).timezone
        for item in classify_file(result, athlete_id=athlete_id, config=config):
            if item.summary.start_utc is None:
                continue
            out.append(Workout(athlete_id, result.utc_offset_min, timezone, result.sets, item))
    return out


def with_shares(config: HamflowConfig, fields: Sequence[str], delta: float) -> HamflowConfig:
    """``config`` with the named p fields moved by ``delta`` (kept within 0..1)."""
    shares = config.model.p
    changes = {f: min(1.0, max(0.0, getattr(shares, f) + delta)) for f in fields}
    model = dataclasses.replace(config.model, p=dataclasses.replace(shares, **changes))
    return dataclasses.replace(config, model=model)


def weekly_shares(workouts: Sequence[Workout], config: HamflowConfig) -> tuple[pl.DataFrame, list[str]]:
    """(athlete_id, week_start, posterior_share) under ``config``, and every workout's class."""
    rows, classes = [], []
    for w in workouts:
        s = w.classified.summary
        again = reclassify(
            w.classified.samples, s.sport, s.sub_sport, config, athlete_id=w.athlete_id,
            sets=w.sets, session_index=s.session_index, start_utc=s.start_utc,
            elapsed_s=s.duration_s, distance_m=s.distance_m, totals=s.device,
        )
        rows.append(workout_row(again.summary, w.utc_offset_min, w.timezone))
        classes.append(again.summary.workout_class)
    weeks = weekly_table(pl.DataFrame(rows), config).select("athlete_id", "week_start", "posterior_share")
    return weeks, classes


def sensitivity_table(workouts: Sequence[Workout], config: HamflowConfig, delta: float = 0.1) -> pl.DataFrame:
    """One row per (pattern, direction): B change per athlete-week (points) and class changes."""
    base, base_classes = weekly_shares(workouts, config)
    labels = [f"{a} {w:%Y-%m-%d}" for a, w in base.select("athlete_id", "week_start").iter_rows()]
    rows = [{"p moved": "baseline B", **dict(zip(labels, base["posterior_share"].to_list(), strict=False)),
             "largest change": None, "classes changed": None}]
    for name, fields in PARAMETERS.items():
        for sign in (-1, 1):
            moved = with_shares(config, fields, sign * delta)
            weeks, classes = weekly_shares(workouts, moved)
            diff = (weeks["posterior_share"] - base["posterior_share"]) * 100.0
            values = [None if v is None else round(v, 2) + 0.0 for v in diff.to_list()]
            changed = sum(a != b for a, b in zip(classes, base_classes, strict=False))
            rows.append({
                "p moved": f"{name} {'+' if sign > 0 else '-'}{delta:g}",
                **dict(zip(labels, values, strict=False)),
                "largest change": max((abs(v) for v in values if v is not None), default=0.0),
                "classes changed": changed,
            })
    return pl.DataFrame(rows)


def markdown(table: pl.DataFrame) -> str:
    """The table as GitHub markdown (baseline B as a share, changes in percentage points)."""

    def cell(value: object, baseline: bool) -> str:
        if value is None:
            return "-"
        if isinstance(value, float):
            return f"{value:.3f}" if baseline else f"{value:+.2f}"
        return str(value)

    head = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    body = []
    for row in table.iter_rows():
        baseline = row[0] == "baseline B"
        body.append("| " + " | ".join([str(row[0]), *(cell(v, baseline) for v in row[1:])]) + " |")
    return "\n".join([head, rule, *body])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hamflow.report.sensitivity", description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="folder of FIT files, one sub-folder per athlete")
    parser.add_argument("--config", type=Path, default=None, help="hamflow.toml (default: built-in numbers)")
    parser.add_argument("--delta", type=float, default=0.1, help="how far each p moves (default 0.1)")
    args = parser.parse_args(argv)
    config = load_config(args.config)
    workouts = load_workouts(args.folder, config)
    if not workouts:
        print(f"no decodable FIT files under {args.folder}", file=sys.stderr)
        return 1
    print(markdown(sensitivity_table(workouts, config, args.delta)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
