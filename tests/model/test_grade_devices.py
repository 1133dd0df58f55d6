"""Grade from altitude against the devices' own grade field, and against GoldenCheetah's filter.

On every corpus session that records a native grade next to altitude and distance (with at
least five minutes of moving data), hamflow's altitude-derived grade is compared with the
device's after aligning the lag between them (devices smooth with a delay of a few seconds),
and must be at least as close as GoldenCheetah's simple filter (src/FileIO/RideFile.cpp:
altitude change over distance change, the previous value kept where the distance does not
advance or the grade exceeds 40 %, then a 10-sample mean) aligned the same way.
"""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl
import pytest

from hamflow.fit import FitResult, Session
from hamflow.model import DEFAULT_CONFIG, ClassifiedSession
from hamflow.model.derive import SessionKind, complete_signals
from hamflow.model.grade import altitude_grade
from hamflow.model.quality import DeviceTotals, apply_mask, screen
from hamflow.model.regularise import regularise
from hamflow.model.sports import Activity, activity_of

from ..corpus import CorpusFile

pytestmark = pytest.mark.slow

MODEL = DEFAULT_CONFIG.model
MAX_LAG_S = 30
MIN_MOVING_S = 300


def goldencheetah_grade(frame: pl.DataFrame) -> pl.Series:
    step_alt, step_dist = pl.col("altitude_m").diff(), pl.col("distance_m").diff()
    raw = step_alt / step_dist * 100.0
    kept = pl.when((step_dist > 0) & (raw.abs() <= 40.0)).then(raw)
    return frame.select(kept.forward_fill().fill_null(0.0).rolling_mean(10, center=True, min_samples=1)).to_series()


def aligned_error(grade: pl.Series, device: pl.Series) -> float:
    """Mean absolute difference at the best lag within +-30 s (moving seconds only)."""
    errors = []
    for lag in range(-MAX_LAG_S, MAX_LAG_S + 1):
        pair = pl.DataFrame({"x": grade.shift(lag), "y": device}).drop_nulls()
        errors.append(pair.select((pl.col("x") - pl.col("y")).abs().mean()).item())
    return min(e for e in errors if e is not None)


def native_grade_sessions(corpus: dict[str, CorpusFile]) -> Iterator[tuple[str, Session]]:
    for rel, item in sorted(corpus.items()):
        if isinstance(item.outcome, FitResult) and item.outcome.is_activity:
            for s in item.outcome.sessions:
                has = {c: s.records.get_column(c).null_count() < s.records.height for c in ("grade_pct", "altitude_m", "distance_m")}
                if all(has.values()):
                    yield rel, s


def test_derived_grade_is_closer_to_the_devices_than_goldencheetahs_filter(corpus: dict[str, CorpusFile]) -> None:
    compared = {}
    for rel, s in native_grade_sessions(corpus):
        kind = SessionKind.of(s.sport, s.sub_sport)
        grid = complete_signals(regularise(s.records, max_gap_s=MODEL.sampling.max_gap_s))
        frame = apply_mask(screen(grid, kind.activity, DeviceTotals.of(s), MODEL.quality, MODEL.thresholds).frame)
        moving = (frame.get_column("speed_mps").fill_null(0.0) >= 0.5) & frame.get_column("altitude_m").is_not_null()
        if moving.sum() < MIN_MOVING_S:
            continue
        device = frame.get_column("grade_pct").forward_fill()
        device = device.zip_with(moving, pl.Series(values=[None] * device.len(), dtype=pl.Float64))
        ours = aligned_error(altitude_grade(frame, MODEL.grade), device)
        theirs = aligned_error(goldencheetah_grade(frame), device)
        compared[f"{rel}#{s.index}"] = (round(ours, 2), round(theirs, 2))
    assert len(compared) >= 5, compared
    worse = {k: v for k, v in compared.items() if v[0] > v[1]}
    assert worse == {}, compared


def test_ascent_implied_by_the_grade_matches_the_devices_own(
    classified_corpus: list[tuple[str, Session, ClassifiedSession]],
) -> None:
    """Outdoor sessions on foot with the device's total_ascent: the ascent the grade implies.

    The yardstick: within +-25 % on at least 80 % of the outdoor runs (sport ``running``).
    Walks and hikes are held to a looser bar with the runs, since their steep pitches and long
    standing stops are where a device's own ascent filtering differs most. Devices count ascent
    with their own hysteresis, so a session with 2-10 m of ascent can be off by a factor of two
    on a metre or two; the sessions with at least 20 m are held to the band.
    """
    ratios: dict[str, tuple[float, float]] = {}
    runs: set[str] = set()
    for rel, s, cs in classified_corpus:
        summary = cs.summary
        outdoor = not (summary.sub_sport or "").startswith(("treadmill", "indoor"))
        on_foot = activity_of(s.sport, s.sub_sport) is Activity.ON_FOOT
        if not (on_foot and outdoor and s.total_ascent_m and summary.grade_source == "altitude"):
            continue
        speed = pl.when(pl.col("masked").list.contains("speed_mps").fill_null(False)).then(0.0).otherwise(pl.col("speed_mps"))
        climbed = cs.samples.select(
            (pl.col("grade_pct").fill_null(0.0) / 100.0 * speed.fill_null(0.0) * pl.col("dt_s")).clip(lower_bound=0.0).sum()
        ).item()
        ratios[f"{rel}#{s.index}"] = (climbed / s.total_ascent_m, s.total_ascent_m)
        if s.sport == "running":
            runs.add(f"{rel}#{s.index}")
    within = {k for k, (ratio, _) in ratios.items() if 0.75 <= ratio <= 1.25}
    substantial = {k for k, (_, ascent) in ratios.items() if ascent >= 20}
    assert len(runs) >= 25
    assert len(within & runs) / len(runs) >= 0.8, {k: ratios[k] for k in runs - within}
    assert len(within) / len(ratios) >= 0.75, ratios
    assert len(within & substantial) / len(substantial) >= 0.9, ratios
