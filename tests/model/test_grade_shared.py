"""The grade inside the derive query shares its stages with the noise test, and gives what the
standalone functions give: the same grade, and the same verdict on noisy altitude."""

from __future__ import annotations

import random

import polars as pl

from hamflow.fit.reader import read_fit
from hamflow.model import DEFAULT_CONFIG
from hamflow.model.derive import SessionKind, complete_signals, derive_signals
from hamflow.model.grade import GradeSource, altitude_grade, choose_grade_source
from hamflow.model.quality import DeviceTotals, screen
from hamflow.model.regularise import regularise

from ..corpus import corpus_root

MODEL = DEFAULT_CONFIG.model
#: An outdoor run of half an hour with barometric altitude and distance.
RUN = "elevate/20171011_run_2088390344.fit"


def screened_run() -> tuple[pl.DataFrame, SessionKind]:
    session = read_fit(corpus_root() / RUN).sessions[0]
    kind = SessionKind.of(session.sport, session.sub_sport)
    grid = complete_signals(regularise(session.records, max_gap_s=MODEL.sampling.max_gap_s))
    return screen(grid, kind.activity, DeviceTotals.of(session), MODEL.quality, MODEL.thresholds).model_view, kind


def test_the_derived_grade_of_an_outdoor_run_is_the_standalone_altitude_grade() -> None:
    frame, kind = screened_run()
    derived = derive_signals(frame, kind, DEFAULT_CONFIG.profile(None), MODEL)
    assert derived.get_column("grade_source").unique().to_list() == [GradeSource.ALTITUDE.value]
    standalone = altitude_grade(frame, MODEL.grade.on_foot())
    assert derived.get_column("grade_pct").null_count() < derived.height
    assert derived.get_column("grade_pct").equals(standalone.alias("grade_pct"), check_names=True)


def test_altitude_gone_to_metres_of_noise_gives_no_grade_as_the_noise_test_says() -> None:
    frame, kind = screened_run()
    rng = random.Random(3)
    noisy = frame.with_columns(pl.col("altitude_m") + pl.Series([rng.gauss(0.0, 20.0) for _ in range(frame.height)]))
    params = MODEL.grade.on_foot()
    assert choose_grade_source(frame, indoor=False, params=params) is GradeSource.ALTITUDE
    assert choose_grade_source(noisy, indoor=False, params=params) is GradeSource.ALTITUDE_NOISY
    derived = derive_signals(noisy, kind, DEFAULT_CONFIG.profile(None), MODEL)
    assert derived.get_column("grade_source").unique().to_list() == [GradeSource.ALTITUDE_NOISY.value]
    assert derived.get_column("grade_pct").null_count() == derived.height
    assert "_altitude_grade" not in derived.columns and "_sigma" not in derived.columns
