"""Each movement pattern is declared once, and everything that names a pattern reads that declaration."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import polars as pl
import pytest

from hamflow.model import DEFAULT_CONFIG, ClassifiedSession, HamflowConfig, Pattern
from hamflow.model.config import PatternShares, Thresholds
from hamflow.model.patterns import (
    CHART_ORDER,
    FAST,
    PATTERNS,
    SPECS,
    SPRINTS,
    UNLOADED,
    Context,
    Gait,
    OnFoot,
    PatternSpec,
    Share,
    Side,
    declaration_problems,
    describe,
)
from hamflow.report.charts import pattern_chart
from hamflow.report.explain import pattern_rows
from hamflow.report.sensitivity import PARAMETERS

from .frames import classify, records

DOCS = Path(__file__).resolve().parents[2] / "docs" / "model.md"


def test_every_pattern_has_exactly_one_sound_declaration() -> None:
    assert [s.pattern for s in PATTERNS] == list(Pattern)
    assert declaration_problems(PATTERNS) == []


def test_a_declaration_table_with_a_gap_or_a_clash_is_refused() -> None:
    without_other = [s for s in PATTERNS if s.pattern is not Pattern.OTHER]
    assert any("OTHER is declared 0 times" in p for p in declaration_problems(without_other))
    assert any("activity other" in p for p in declaration_problems(without_other))
    twice = [*PATTERNS, SPECS[Pattern.ROW]]
    assert any("ROW is declared 2 times" in p for p in declaration_problems(twice))
    rest_with_a_share = dataclasses.replace(SPECS[Pattern.REST], share=SPECS[Pattern.ROW].share)
    assert any("REST: a share" in p for p in declaration_problems(_swap(rest_with_a_share)))
    typo = dataclasses.replace(SPECS[Pattern.BIKE], share=Share("bik"))
    assert any("no field 'bik'" in p for p in declaration_problems(_swap(typo)))
    # a walked second must always end up somewhere: the last walking rule takes the rest
    conditional = dataclasses.replace(SPECS[Pattern.WALK_FLAT], on_foot=OnFoot(80, Gait.WALK, when=lambda c: pl.lit(True)))
    assert any("walk rules" in p for p in declaration_problems(_swap(conditional)))


def _swap(spec: PatternSpec) -> list[PatternSpec]:
    return [spec if s.pattern is spec.pattern else s for s in PATTERNS]


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@pytest.mark.parametrize("spec", PATTERNS, ids=lambda s: s.pattern.value)
def test_a_patterns_side_decides_its_colour_family_and_agrees_with_its_share(spec: PatternSpec) -> None:
    red, green, blue = _rgb(spec.colour)
    if spec.side is Side.NONE:
        assert spec.share is None and spec.pattern in UNLOADED
        assert red == green == blue  # grey
        return
    assert spec.share is not None and spec.pattern not in UNLOADED
    shares = PatternShares()
    # where p rises with grade, the side is the one it reaches
    p = getattr(shares, spec.share.cap or spec.share.field)
    if spec.side is Side.POSTERIOR:
        assert red > blue and p >= 0.5
    else:
        assert blue >= red and p <= 0.5


def test_fast_and_sprint_roles_come_from_the_declarations() -> None:
    assert set(SPRINTS) == {Pattern.SPRINT, Pattern.HILL_SPRINT}
    assert set(FAST) == {Pattern.HSR, Pattern.SPRINT, Pattern.HILL_SPRINT}
    assert set(SPRINTS) <= set(FAST)


def test_the_pattern_chart_colours_and_stacks_patterns_as_declared() -> None:
    n = len(Pattern)
    shown = pl.DataFrame({"week_start": [None] * n, "pattern": [p.value for p in Pattern], "minutes": [1.0] * n},
                         schema={"week_start": pl.Date, "pattern": pl.String, "minutes": pl.Float64})
    scale = pattern_chart(shown).to_dict()["encoding"]["color"]["scale"]
    assert scale["domain"] == [p.value for p in CHART_ORDER]
    assert scale["range"] == [SPECS[p].colour for p in CHART_ORDER]
    ranks = [SPECS[p].chart_rank for p in CHART_ORDER]
    assert ranks == sorted(ranks)


def steep_walk(config: HamflowConfig = DEFAULT_CONFIG) -> ClassifiedSession:
    """Twenty minutes on a treadmill at 13 %."""
    return classify(records(1200, speed=1.3, grade=13.0), "walking", "indoor_walking", config=config)


def test_reasons_describe_a_pattern_in_its_declared_words_with_the_numbers_in_force(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    default = steep_walk().summary.reasons
    assert "100 % of moving time walking at ≥ 10 % grade (WALK_STEEP, p = 0.65)" in default
    steeper = dataclasses.replace(DEFAULT_CONFIG.model, thresholds=Thresholds(walk_steep_min_grade_pct=12.0))
    assert "100 % of moving time walking at ≥ 12 % grade (WALK_STEEP, p = 0.65)" in steep_walk(
        dataclasses.replace(DEFAULT_CONFIG, model=steeper)
    ).summary.reasons
    import hamflow.model.patterns as patterns

    def wall(c: Context) -> str:
        return f"hiking up a {c.t.walk_steep_min_grade_pct:g} % wall"

    reworded = dataclasses.replace(SPECS[Pattern.WALK_STEEP], text=wall)
    monkeypatch.setattr(patterns, "SPECS", {**SPECS, Pattern.WALK_STEEP: reworded})
    assert "100 % of moving time hiking up a 10 % wall (WALK_STEEP, p = 0.65)" in steep_walk().summary.reasons


def test_a_pattern_whose_p_rises_with_grade_is_reported_with_its_mean() -> None:
    uphill = classify(records(600, speed=3.0, grade=6.0), "running", "treadmill").summary.reasons
    assert any("(RUN_UPHILL, mean p = 0.50)" in r for r in uphill), uphill
    assert SPECS[Pattern.RUN_UPHILL].p_varies and not SPECS[Pattern.RUN_EASY].p_varies


def test_explain_lists_the_patterns_that_load_a_side() -> None:
    walk = classify(records(600, speed=[0.0] * 100 + [1.3] * 500, grade=13.0), "walking", "indoor_walking")
    assert {r["pattern"] for r in pattern_rows(walk)} == {"WALK_STEEP"}  # REST is left out


def test_the_sensitivity_table_moves_every_declared_share() -> None:
    assert list(PARAMETERS) == [s.pattern.value for s in PATTERNS if s.side is not Side.NONE]
    assert PARAMETERS["RUN_UPHILL"] == ("run_uphill_base", "run_uphill_max")
    assert all(f in {x.name for x in dataclasses.fields(PatternShares)} for fs in PARAMETERS.values() for f in fs)


def test_texts_name_the_athletes_speeds() -> None:
    assert describe("HSR", DEFAULT_CONFIG.model.thresholds, 10.0) == "running at 7.0-9.0 m/s (70 %-90 % of vmax)"
    assert describe("ELLIPTICAL", DEFAULT_CONFIG.model.thresholds, 8.0, reverse=True) == "on the elliptical (reverse)"


def test_the_model_docs_list_every_pattern_with_its_default_share() -> None:
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| ([A-Z_]+) \|.*\|$", DOCS.read_text(), re.M)}
    shares = PatternShares()
    for spec in PATTERNS:
        assert spec.pattern.value in rows, f"docs/model.md has no table row for {spec.pattern}"
        if spec.share is not None and not spec.share.varies:
            last = rows[spec.pattern.value].rstrip("|").rsplit("|", 1)[-1].strip()
            assert last == f"{getattr(shares, spec.share.field):.2f}", spec.pattern
