"""Before a run classifies: the thresholds timelines each new workout will be judged by.

A workout is classified with its athlete's thresholds valid at its start: the rule of the best
candidate of every workout up to it (:mod:`hamflow.model.thresholds`). A worker sees one file,
so the run hands it the candidates of the others as :class:`PriorThresholds`: those stored in
``workout_evidence`` (read by the run: :func:`hamflow.ingest.run.stored_priors`), and, when
several new files of one athlete arrive together, those of the new files, found by a *survey*
(decode, screen, candidates: no classifying). Each workout is then classified once, with the
values calibration after the writes would give it; calibration stays to catch what no one could
know before (a recording merged with another, a crash).

The survey is pure like ``prepare`` (no database) and runs wherever the engine prepares.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import polars as pl

from ..fit import FitResult, fast
from ..fit.reader import try_fast_decode
from ..model import HamflowConfig as Config
from ..model.classify import screen_files
from ..model.thresholds import PRIOR_COLUMNS, PriorThresholds
from .archives import ArchiveError, ArchiveReader
from .files import Candidate
from .handoff import Handoff, hands_off, write_handoff
from .prepare import read_candidate, resolve_athlete, workout_id

__all__ = ["PRIOR_SCHEMA", "priors_of", "survey_files", "worth_surveying"]

PRIOR_SCHEMA: dict[str, pl.DataType] = {
    "athlete_id": pl.Utf8(), "workout_id": pl.Utf8(), "start_utc": pl.Datetime("us", "UTC"), "metric": pl.Utf8(),
    "value": pl.Float64(),
}
assert tuple(PRIOR_SCHEMA) == PRIOR_COLUMNS


def worth_surveying(todo: Sequence[Candidate], athlete: str | None) -> list[Candidate]:
    """The new files whose candidates may change another new file's thresholds: those of an
    athlete with more than one new file in the run. A night with one file per athlete needs only
    the stored timelines, so nothing is surveyed. Files whose athlete is known only once decoded
    (by the device's serial number) count as one athlete: surveyed when there are several."""
    groups: dict[str | None, list[Candidate]] = {}
    for c in todo:
        if c.problem is None:
            groups.setdefault(athlete or c.folder_athlete, []).append(c)
    return [c for group in groups.values() if len(group) > 1 for c in group]


def survey_files(candidates: Iterable[Candidate], config: Config, *, athlete: str | None = None,
                 max_file_bytes: int, keep_positions: bool = False, handoff: str | None = None) -> pl.DataFrame:
    """The threshold candidates of each workout in ``candidates`` (:data:`PRIOR_SCHEMA` rows).

    A file that cannot be read or that the fast decoder declines gives none: ``prepare``
    quarantines it with its reason, or classifies it by the others' timelines and its own.
    ``handoff``: the run's handoff directory, where each surveyed file is left decoded and
    screened for its prepare (:mod:`hamflow.ingest.handoff`) when prepare would decode it the same way.
    """
    rows: list[dict[str, object]] = []
    handing_to = handoff if handoff is not None and hands_off() else None
    decoded: list[tuple[Candidate, str, FitResult]] = []
    with ArchiveReader(config.archives) as reader:
        for c in candidates:
            result = _decoded(c, config, max_file_bytes, reader, keep_positions)
            if result is not None and result.is_activity:
                decoded.append((c, resolve_athlete(c, result, config, athlete), result))
    # The files' sessions screened in step, their queries together (a file that cannot be
    # screened gives none: prepare says why).
    for (c, athlete_id, result), screened in zip(decoded, screen_files([d[2] for d in decoded], config), strict=True):
        if isinstance(screened, Exception):
            continue
        if handing_to is not None and c.sha256 is not None:
            write_handoff(handing_to, c.sha256, Handoff(result, tuple(screened)))
        rows += [{"athlete_id": athlete_id, "workout_id": workout_id(c.sha256 or "", s.shown.session_index),
                  "start_utc": s.shown.start_utc, "metric": found.metric, "value": found.value}
                 for s in screened if s.shown.start_utc is not None for found in s.shown.candidates]
    return pl.DataFrame(rows, schema=PRIOR_SCHEMA)


def _decoded(c: Candidate, config: Config, max_file_bytes: int, reader: ArchiveReader,
             keep_positions: bool) -> FitResult | None:
    """The file decoded by the fast decoder, or None. Only the fast path: a file it declines
    takes the reference decoder, several times slower, and decoding it twice would cost more
    than classifying again the few workouts its candidates might change (calibration does).

    The fast path is taken whichever decoder the run decodes with: where it does not decline,
    its result is the reference decoder's, exactly (so the candidates are), and a survey only
    tells the run which thresholds to classify with; what is stored is decoded by the run's
    decoder. With the reference decoder, surveying this way costs a few milliseconds a file,
    against a second decode with fitparse or classifying most new workouts again. Positions are
    kept as the run keeps them, so that the result can be handed to prepare as it is."""
    if c.problem is not None or c.size_bytes > max_file_bytes or not fast.available():
        return None
    try:
        data = read_candidate(c, config, max_file_bytes, reader)
    except (OSError, ArchiveError):
        return None
    if data is None or (c.sha256 is not None and hashlib.sha256(data).hexdigest() != c.sha256):
        return None
    return try_fast_decode(data, path=c.path, keep_positions=keep_positions)


def priors_of(stored: pl.DataFrame, surveyed: Iterable[pl.DataFrame]) -> PriorThresholds:
    """The timelines of the stored and the surveyed workouts together."""
    return PriorThresholds.of(pl.concat([stored, *surveyed], how="vertical"))
