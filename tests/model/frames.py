"""Building small synthetic sessions for model tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import polars as pl

from hamflow.fit.columns import RECORD_SCHEMA
from hamflow.fit.types import Session, StrengthSet
from hamflow.model import DEFAULT_CONFIG, AthleteProfile, ClassifiedSession, HamflowConfig, classify_session

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

Values = Sequence[float | None] | float | None


def records(
    n: int,
    *,
    speed: Values = None,
    altitude: Values = None,
    distance: Values = None,
    grade: Values = None,
    incline: Values = None,
    power: Values = None,
    hr: Values = None,
    cadence: Values = None,
    seconds: Sequence[int] | None = None,
) -> pl.DataFrame:
    """A canonical record frame of ``n`` rows, one per second from T0 unless ``seconds`` is given.

    Each channel is a list of ``n`` values, a constant, or None (absent).
    """

    def column(values: Values) -> list[float | None]:
        if values is None or isinstance(values, (int, float)):
            return [None if values is None else float(values)] * n
        assert len(values) == n, (len(values), n)
        return [None if v is None else float(v) for v in values]

    offsets = list(seconds) if seconds is not None else list(range(n))
    data = {
        "ts_utc": [T0 + timedelta(seconds=s) for s in offsets],
        "speed_mps": column(speed),
        "altitude_m": column(altitude),
        "distance_m": column(distance),
        "grade_pct": column(grade),
        "incline_pct": column(incline),
        "power_w": column(power),
        "heart_rate_bpm": column(hr),
        "cadence": column(cadence),
    }
    return pl.DataFrame(data, schema=RECORD_SCHEMA)


def cumulative(speeds: Sequence[float]) -> list[float]:
    out, total = [], 0.0
    for v in speeds:
        total += v
        out.append(total)
    return out


def session(frame: pl.DataFrame, sport: str = "running", sub_sport: str | None = "generic") -> Session:
    start = frame.get_column("ts_utc").min() if frame.height else T0
    return Session(
        index=0, sport=sport, sub_sport=sub_sport, start_utc=start, elapsed_s=None, timer_s=None,
        distance_m=None, records=frame, sources={},
    )


def classify(
    frame: pl.DataFrame,
    sport: str = "running",
    sub_sport: str | None = "generic",
    *,
    config: HamflowConfig = DEFAULT_CONFIG,
    profile: AthleteProfile | None = None,
    sets: Sequence[StrengthSet] = (),
) -> ClassifiedSession:
    return classify_session(
        session(frame, sport, sub_sport), profile=profile or config.default_profile, config=config, sets=sets
    )


def patterns(result: ClassifiedSession) -> list[str]:
    return result.samples.get_column("pattern").to_list()
