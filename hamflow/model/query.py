"""Running a lazy query the way an eager call runs it.

A chain of eager calls pays polars' per-query cost at every step; one lazy query pays it once.
But ``collect()`` may choose the streaming engine, which works in morsels, so a running sum or
a rolling mean can come out different in its last bit from the eager result. The model's
numbers are promised identical for identical input, so every lazy query of the model runs on
the in-memory engine, as eager calls do.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import TypeVar

import polars as pl

T = TypeVar("T")

#: A computation that runs its queries by handing them out: each ``yield`` gives a lazy query
#: and gets back its result, as :func:`collect` gives it (or has the query's exception raised
#: where it yielded), and what it returns is the computation's result. Written so, several
#: computations can run in step, their queries run together (:func:`run_together`); alone
#: (:func:`run_alone`) it is the same code with a ``collect`` at each ``yield``.
Steps = Generator[pl.LazyFrame, pl.DataFrame, T]


def collect(query: pl.LazyFrame) -> pl.DataFrame:
    """``query``'s result, computed as the equivalent eager calls compute it."""
    return query.collect(engine="in-memory")


def collect_all(queries: Sequence[pl.LazyFrame]) -> list[pl.DataFrame]:
    """Each of ``queries``' results, as :func:`collect` gives it, computed in one call.

    A session's query costs polars a fixed amount (planning, optimising, handing the work to
    its threads and back) whatever its length, and for an hour of seconds that is most of it;
    one call for a batch's sessions pays much of it once. Each result is still its own query's,
    so it is what collecting that query alone gives. (One query is collected alone: a call of
    ``collect_all`` costs several times a small query's own fixed cost.)"""
    if len(queries) <= 1:
        return [collect(query) for query in queries]
    return pl.collect_all(queries, engine="in-memory")


def run_alone(steps: Steps[T]) -> T:
    """The result of one computation written as :data:`Steps`, each query collected in turn."""
    outcome = run_together([steps])[0]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def run_together(computations: Sequence[Steps[T]]) -> list[T | Exception]:
    """The result of each computation, or the exception it raised, in its place.

    The computations advance in step: each round, the query each one waits on runs in one
    :func:`collect_all` (one session's queries are small, and their fixed cost is most of what
    they cost), and each gets its own result back. A query that fails makes the round run query
    by query, so its failure reaches only the computation that asked for it, as if it ran alone."""
    outcomes: dict[int, T | Exception] = {}
    waiting: dict[int, pl.LazyFrame] = {}

    def advance(at: int, answer: pl.DataFrame | Exception | None) -> None:
        steps = computations[at]
        try:
            query = steps.throw(answer) if isinstance(answer, Exception) else steps.send(answer)  # type: ignore[arg-type]
        except StopIteration as done:
            outcomes[at] = done.value
        except Exception as exc:
            outcomes[at] = exc
        else:
            waiting[at] = query

    for at in range(len(computations)):
        advance(at, None)  # to its first query (sending None starts a generator)
    while waiting:
        order = sorted(waiting)
        for at, answer in zip(order, _collected([waiting.pop(at) for at in order]), strict=True):
            advance(at, answer)
    return [outcomes[at] for at in range(len(computations))]


def _collected(queries: list[pl.LazyFrame]) -> list[pl.DataFrame | Exception]:
    """Each query's result; where one fails, each query alone, with the failures in their places."""
    try:
        return list(collect_all(queries))
    except Exception:
        answers: list[pl.DataFrame | Exception] = []
        for query in queries:
            try:
                answers.append(collect(query))
            except Exception as exc:
                answers.append(exc)
        return answers
