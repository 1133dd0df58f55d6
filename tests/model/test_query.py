"""Computations run in step: their queries run together, and each gets what it would alone."""

from __future__ import annotations

import polars as pl
import pytest

from hamflow.model.query import Steps, run_alone, run_together

FRAME = pl.DataFrame({"x": [3.0, 1.0, 2.0, 5.0]})


def _sums(frame: pl.DataFrame, rounds: int) -> Steps[list[float]]:
    """As many queries as ``rounds``, each built from the answer before."""
    out: list[float] = []
    for _ in range(rounds):
        total = (yield frame.lazy().select(pl.col("x").sum())).item()
        out.append(total)
        frame = frame.with_columns(pl.col("x") + total)
    return out


def _asks_for_a_missing_column(frame: pl.DataFrame) -> Steps[float]:
    before = (yield frame.lazy().select(pl.col("x").max())).item()
    return before + (yield frame.lazy().select(pl.col("missing").sum())).item()


def _recovers(frame: pl.DataFrame) -> Steps[str]:
    try:
        yield frame.lazy().select(pl.col("missing"))
    except pl.exceptions.ColumnNotFoundError:
        return "recovered"
    return "not reached"


def _raises_before_asking(frame: pl.DataFrame) -> Steps[float]:
    if frame.height:
        raise ValueError("nothing to ask")
    return (yield frame.lazy().select(pl.len())).item()


def test_computations_run_together_give_what_each_gives_alone_whatever_their_number_of_queries() -> None:
    together = run_together([_sums(FRAME, rounds) for rounds in (3, 0, 1, 5)])
    assert together == [run_alone(_sums(FRAME, rounds)) for rounds in (3, 0, 1, 5)]
    assert together[0] == [11.0, 55.0, 275.0]


def test_a_query_that_fails_reaches_only_the_computation_that_asked_for_it() -> None:
    out = run_together([_sums(FRAME, 2), _asks_for_a_missing_column(FRAME), _recovers(FRAME), _sums(FRAME, 1)])
    assert out[0] == run_alone(_sums(FRAME, 2)) and out[3] == [11.0]
    assert isinstance(out[1], pl.exceptions.ColumnNotFoundError)
    assert out[2] == "recovered"  # the failure is raised where the computation waited, as alone
    with pytest.raises(pl.exceptions.ColumnNotFoundError):
        run_alone(_asks_for_a_missing_column(FRAME))


def test_an_exception_of_a_computations_own_code_is_its_result_and_the_others_go_on() -> None:
    out = run_together([_raises_before_asking(FRAME), _sums(FRAME, 2)])
    assert isinstance(out[0], ValueError) and str(out[0]) == "nothing to ask"
    assert out[1] == [11.0, 55.0]
    with pytest.raises(ValueError, match="nothing to ask"):
        run_alone(_raises_before_asking(FRAME))


def test_no_computations_give_no_results() -> None:
    assert run_together([]) == []
