"""The public entry points: classify a session, a file, or stored samples again.

The chain for one session is::

    records -> 1 Hz grid -> derived signals -> per-second patterns and loads
            -> efforts, segments, summary (+ reasons)

Only the first step needs the FIT records. Everything after it starts from the 1 Hz signals,
which the samples frame keeps, so :func:`reclassify` can redo the model after a config change
from stored samples alone and gives exactly what :func:`classify_session` gives for the same
config.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, TypeVar

import polars as pl

from hamflow.fit.types import Event, FitResult, Session, StrengthSet

from .config import AthleteProfile, HamflowConfig
from .derive import SIGNAL_COLUMNS, SessionKind, complete_signals_steps, derive_query, recognise_rowing_steps
from .efforts import efforts_of
from .grade import GradeSource
from .patterns import classify_query
from .quality import CHANNELS, DeviceTotals, Screened, cap_session_intensity, screen_steps
from .query import Steps, collect_all, run_alone, run_together
from .reasons import reasons_for
from .regularise import TimerEvents, regularise_steps
from .segments import segments_of
from .sports import Activity
from .strength import sets_frame, sets_in_span
from .summary import WorkoutSummary, patterns_frame, summarise_steps
from .thresholds import Candidate, candidates_steps, own_profile

T = TypeVar("T")

#: Columns of the samples frame, in order. The stored ``samples`` table holds these (the store
#: may drop ``distance_m`` and ``intensity_source``; see :func:`reclassify`).
SAMPLE_COLUMNS: Final[tuple[str, ...]] = (
    "ts_utc",
    "dt_s",
    "speed_mps",
    "grade_pct",
    "grade_source",
    "altitude_m",
    "distance_m",
    "power_w",
    "heart_rate_bpm",
    "cadence",
    "moving",
    "intensity_factor",
    "intensity_source",
    "pattern",
    "p",
    "h",
    "load",
    "posterior_load",
    "quad_load",
    "maxv",
    "masked",
)


@dataclass(frozen=True)
class ClassifiedSession:
    """One session through the model: its verdict and the frames behind it."""

    summary: WorkoutSummary
    #: One row per second (columns :data:`SAMPLE_COLUMNS`).
    samples: pl.DataFrame
    #: Readable stretches (see :mod:`hamflow.model.segments`).
    segments: pl.DataFrame
    #: Worked strength sets with their movement (empty for cardio).
    sets: pl.DataFrame
    #: Sprint, high-speed and maxv efforts.
    efforts: pl.DataFrame
    #: What this session showed for each calibrated threshold (``thresholds.METRICS``).
    evidence: tuple[Candidate, ...] = ()
    #: The athlete profile the session was classified with.
    profile: AthleteProfile | None = None

    @property
    def patterns(self) -> pl.DataFrame:
        """Seconds and loads per pattern (the ``workout_patterns`` rows)."""
        return patterns_frame(self.summary.patterns)


@dataclass(frozen=True, slots=True)
class SessionEvidence:
    """What one session shows for the calibrated thresholds before it is classified: its place
    in the athlete's timeline (its index in the file and its start) and its candidates."""

    session_index: int
    #: The start the workout is stored with (None: the session gives no workout).
    start_utc: datetime | None
    candidates: tuple[Candidate, ...]


#: Chooses the profile a session is classified with, from what the session shows.
Calibrator = Callable[[SessionEvidence], AthleteProfile]


def classify_session(
    session: Session,
    *,
    profile: AthleteProfile,
    config: HamflowConfig,
    sets: Sequence[StrengthSet] = (),
    athlete_id: str | None = None,
    reverse_elliptical: bool = False,
    events: Sequence[Event] = (),
    calibrate: Calibrator | None = None,
    screened: ScreenedSession | None = None,
) -> ClassifiedSession:
    """Classify one decoded session with one athlete's profile.

    ``sets`` are the strength sets of this session (used when it is a strength session);
    ``events`` the file's events (its timer stops and starts tell pauses from smart recording).
    ``reverse_elliptical`` says an elliptical session was pedalled backwards (files cannot).
    ``calibrate``, when given, replaces ``profile`` by the profile it chooses for what the
    session shows (:class:`SessionEvidence`). ``screened``: this session already through
    :func:`screen_file` (with the same ``reverse_elliptical``), so its grid and screen, which do
    not depend on the profile, are taken rather than computed again.
    """
    seconds = run_alone(_session_seconds(session, profile=profile, config=config, sets=sets, athlete_id=athlete_id,
                                         reverse_elliptical=reverse_elliptical, events=events, calibrate=calibrate,
                                         screened=screened))
    return _finish_all([seconds], config)[0]


def _session_seconds(
    session: Session, *, profile: AthleteProfile, config: HamflowConfig, sets: Sequence[StrengthSet],
    athlete_id: str | None, reverse_elliptical: bool, events: Sequence[Event], calibrate: Calibrator | None,
    screened: ScreenedSession | None,
) -> Steps[_Seconds]:
    """:func:`classify_session` up to its seconds (:func:`_seconds`)."""
    kind = SessionKind.of(session.sport, session.sub_sport, reverse_elliptical=reverse_elliptical)
    if screened is not None and screened.shown.session_index != session.index:
        raise ValueError(f"session {session.index} given the screen of session {screened.shown.session_index}")
    completed = screened.completed if screened is not None else (yield from _completed(session, events, config))
    return (yield from _seconds(
        completed,
        kind,
        DeviceTotals.of(session),
        profile,
        config,
        sets=sets,
        athlete_id=athlete_id,
        session_index=session.index,
        start_utc=session.start_utc,
        elapsed_s=session.elapsed_s,
        distance_m=session.distance_m,
        calibrate=calibrate,
        front=screened,
    ))


@dataclass(frozen=True, slots=True)
class FileToClassify:
    """A decoded file and how to classify it (the arguments of :func:`classify_file`)."""

    result: FitResult
    athlete_id: str | None
    reverse_elliptical: bool = False
    calibrate: Calibrator | None = None
    screened: Sequence[ScreenedSession] | None = None


def classify_file(
    result: FitResult, *, athlete_id: str | None, config: HamflowConfig, reverse_elliptical: bool = False,
    calibrate: Calibrator | None = None, screened: Sequence[ScreenedSession] | None = None,
) -> list[ClassifiedSession]:
    """Classify every session of a decoded file for ``athlete_id`` (unknown ids: default profile).

    Strength sets go to the strength session whose time span holds them. Each session is
    judged by the profile ``calibrate`` chooses for what it shows; by default, the athlete's
    profile with the thresholds its own samples show (``thresholds.own_profile``): a caller
    that knows the athlete's other workouts passes their timeline
    (``thresholds.PriorThresholds``), and the store applies the whole history in the end.
    ``screened``: the file's sessions already screened (:func:`screen_file`), one per session.
    """
    file = FileToClassify(result, athlete_id, reverse_elliptical, calibrate, screened)
    return _finish_files([run_alone(_file_seconds(file, config))], config)[0]


def classify_files(files: Sequence[FileToClassify], config: HamflowConfig) -> list[list[ClassifiedSession] | Exception]:
    """:func:`classify_file` of each of several files, their sessions run through the model in
    step and their queries together (the fixed cost of a query is paid once for all of them):
    each file's sessions are what :func:`classify_file` gives for it alone. A file that cannot be
    classified gets the exception :func:`classify_file` raises for it, in its place; the others
    are not affected."""
    prepared = run_together([_file_seconds(file, config) for file in files])
    together = [p for p in prepared if not isinstance(p, Exception)]
    try:
        finished = iter(_finish_files(together, config))
    except Exception:  # some file's sessions fail to finish: each file alone, so only it fails
        return [p if isinstance(p, Exception) else _finished_alone(p, config) for p in prepared]
    return [p if isinstance(p, Exception) else next(finished) for p in prepared]


def _finished_alone(sessions: list[_Seconds], config: HamflowConfig) -> list[ClassifiedSession] | Exception:
    try:
        return _finish_files([sessions], config)[0]
    except Exception as exc:
        return exc


def _file_seconds(file: FileToClassify, config: HamflowConfig) -> Steps[list[_Seconds]]:
    """Every session of a file classified second by second (see :func:`classify_file`)."""
    result, athlete_id = file.result, file.athlete_id
    profile = config.profile(athlete_id)
    chosen = file.calibrate or (lambda shown: own_profile(config, athlete_id, shown.candidates))
    fronts: Sequence[ScreenedSession | None] = file.screened if file.screened is not None else [None] * len(result.sessions)
    if len(fronts) != len(result.sessions):
        raise ValueError(f"{len(fronts)} screened sessions for a file of {len(result.sessions)}")
    out = []
    for session, front in zip(result.sessions, fronts, strict=True):
        kind = SessionKind.of(session.sport, session.sub_sport)
        sets: Sequence[StrengthSet] = ()
        if kind.activity is Activity.STRENGTH and result.sets:
            sets = result.sets if len(result.sessions) == 1 else sets_in_span(result.sets, *_span(session))
        out.append((
            yield from _session_seconds(
                session, profile=profile, config=config, sets=sets, athlete_id=athlete_id,
                reverse_elliptical=file.reverse_elliptical, events=result.events, calibrate=chosen, screened=front,
            )
        ))
    return out


def _finish_files(files: Sequence[list[_Seconds]], config: HamflowConfig) -> list[list[ClassifiedSession]]:
    """:func:`_finish_all` over the sessions of several files at once, cut back into files."""
    finished = iter(_finish_all([s for sessions in files for s in sessions], config))
    return [[next(finished) for _ in sessions] for sessions in files]


def screen_file(result: FitResult, config: HamflowConfig) -> list[ScreenedSession]:
    """Each session of a decoded file up to the quality screen: what it shows for the
    calibrated thresholds (``shown``), with the frames behind it. The part of classifying that no
    profile changes, so that a run can know every new workout's candidates before it classifies
    any, and ``classify_file(screened=...)`` can start from it."""
    return run_alone(_screened_file(result, config))


def screen_files(results: Sequence[FitResult], config: HamflowConfig) -> list[list[ScreenedSession] | Exception]:
    """:func:`screen_file` of each of several files, their sessions screened in step and their
    queries run together; a file that cannot be screened gets its exception in its place."""
    return run_together([_screened_file(result, config) for result in results])


def _screened_file(result: FitResult, config: HamflowConfig) -> Steps[list[ScreenedSession]]:
    out = []
    for session in result.sessions:
        completed = yield from _completed(session, result.events, config)
        out.append((yield from _screened(completed, SessionKind.of(session.sport, session.sub_sport),
                                         DeviceTotals.of(session), config, session_index=session.index,
                                         start_utc=session.start_utc)))
    return out


@dataclass(frozen=True, slots=True)
class StoredWorkout:
    """A stored workout's samples and what :func:`reclassify` takes with them."""

    samples: pl.DataFrame
    sport: str
    sub_sport: str | None
    athlete_id: str | None = None
    #: The profile to classify with (None: ``config.profile(athlete_id)``).
    profile: AthleteProfile | None = None
    sets: Sequence[StrengthSet] = ()
    session_index: int = 0
    start_utc: datetime | None = None
    elapsed_s: float | None = None
    distance_m: float | None = None
    reverse_elliptical: bool = False
    #: What the session message said, as stored with the workout (None: nothing).
    totals: DeviceTotals | None = None


def reclassify(
    samples: pl.DataFrame,
    sport: str,
    sub_sport: str | None,
    config: HamflowConfig,
    *,
    athlete_id: str | None = None,
    profile: AthleteProfile | None = None,
    sets: Sequence[StrengthSet] = (),
    session_index: int = 0,
    start_utc: datetime | None = None,
    elapsed_s: float | None = None,
    distance_m: float | None = None,
    reverse_elliptical: bool = False,
    totals: DeviceTotals | None = None,
) -> ClassifiedSession:
    """Run the model again on stored samples, without the FIT file.

    The stored signals (speed, altitude, distance, grade, power, heart rate, cadence) are the
    inputs; moving, intensity, patterns, loads, efforts, segments and the summary are computed
    afresh with ``config``, the quality screen included (``totals``: what the session message
    said, as stored with the workout). A grade derived from altitude is derived again when the samples
    keep ``distance_m`` (so grade-filter settings apply); a device grade is kept as stored.
    ``profile`` defaults to ``config.profile(athlete_id)``.
    """
    workout = StoredWorkout(samples, sport, sub_sport, athlete_id, profile, sets, session_index, start_utc, elapsed_s,
                            distance_m, reverse_elliptical, totals)
    return reclassify_all([workout], config)[0]


def reclassify_all(workouts: Sequence[StoredWorkout], config: HamflowConfig) -> list[ClassifiedSession]:
    """:func:`reclassify` of each of several stored workouts, run through the model in step
    (their queries together): each is what :func:`reclassify` gives for it alone. Raises what
    the first workout that cannot be classified raises."""
    return _finish_all(_all_or_raise(run_together([_stored_seconds(w, config) for w in workouts])), config)


def _stored_seconds(workout: StoredWorkout, config: HamflowConfig) -> Steps[_Seconds]:
    """:func:`reclassify` of one workout up to its seconds (:func:`_seconds`)."""
    w = workout
    signals, keep_grade = _stored_signals(w.samples)
    return (yield from _seconds(
        (yield from complete_signals_steps(signals)),
        SessionKind.of(w.sport, w.sub_sport, reverse_elliptical=w.reverse_elliptical),
        w.totals if w.totals is not None else DeviceTotals(),
        w.profile if w.profile is not None else config.profile(w.athlete_id),
        config,
        keep_grade=keep_grade,
        sets=w.sets,
        athlete_id=w.athlete_id,
        session_index=w.session_index,
        start_utc=w.start_utc,
        elapsed_s=w.elapsed_s,
        distance_m=w.distance_m,
    ))


def stored_evidence(
    samples: pl.DataFrame,
    sport: str,
    sub_sport: str | None,
    config: HamflowConfig,
    *,
    totals: DeviceTotals | None = None,
) -> tuple[Candidate, ...]:
    """The threshold candidates of stored samples: what :func:`reclassify` would find, without
    classifying (so a whole history's thresholds are known before any workout is judged)."""
    return stored_evidence_all([StoredWorkout(samples, sport, sub_sport, totals=totals)], config)[0]


def stored_evidence_all(workouts: Sequence[StoredWorkout], config: HamflowConfig) -> list[tuple[Candidate, ...]]:
    """:func:`stored_evidence` of each of several stored workouts (their samples, sport and
    totals), screened in step. Raises what the first that cannot be screened raises."""
    return _all_or_raise(run_together([_stored_candidates(w, config) for w in workouts]))


def _stored_candidates(workout: StoredWorkout, config: HamflowConfig) -> Steps[tuple[Candidate, ...]]:
    completed = yield from complete_signals_steps(_stored_signals(workout.samples)[0])
    totals = workout.totals if workout.totals is not None else DeviceTotals()
    screened = yield from _screened(completed, SessionKind.of(workout.sport, workout.sub_sport), totals, config,
                                    session_index=0, start_utc=None)
    return screened.shown.candidates


def _all_or_raise(outcomes: Sequence[T | Exception]) -> list[T]:
    """``outcomes`` when none is an exception; else the first exception, raised."""
    out: list[T] = []
    for outcome in outcomes:
        if isinstance(outcome, Exception):
            raise outcome
        out.append(outcome)
    return out


def _completed(session: Session, events: Sequence[Event], config: HamflowConfig) -> Steps[pl.DataFrame]:
    """A decoded session's records on the completed 1 Hz grid: the model's input."""
    sampling = config.model.sampling
    grid = yield from regularise_steps(
        session.records,
        max_gap_s=sampling.max_gap_s,
        max_moving_gap_s=sampling.max_moving_gap_s,
        timer=TimerEvents.from_events(events),
        moving_speed_mps=config.model.thresholds.moving_speed_mps,
    )
    return (yield from complete_signals_steps(grid))


@dataclass(frozen=True, slots=True)
class ScreenedSession:
    """A session after the quality screen: its completed 1 Hz grid, its kind (rowing
    recognised), the screen, and what it shows for the thresholds. Classifying, the survey and
    stored candidates all start here; nothing in it depends on the athlete's profile."""

    completed: pl.DataFrame
    kind: SessionKind
    screened: Screened
    shown: SessionEvidence


def _screened(completed: pl.DataFrame, kind: SessionKind, totals: DeviceTotals, config: HamflowConfig, *,
              session_index: int, start_utc: datetime | None) -> Steps[ScreenedSession]:
    kind = yield from recognise_rowing_steps(kind, completed, config.model.rowing)
    screened = yield from screen_steps(completed, kind.activity, totals, config.model.quality, config.model.thresholds)
    found = yield from candidates_steps(screened.model_view, kind.activity, kind.indoor, config.model)
    if totals.start_utc is None and screened.kept_start_utc is not None:
        start_utc = screened.kept_start_utc  # no session message: the first record the screen kept
    if start_utc is None and completed.height:
        start_utc = completed.get_column("ts_utc").min()  # type: ignore[assignment]  # what the summary falls back to
    return ScreenedSession(completed, kind, screened, SessionEvidence(session_index, start_utc, found))


def _stored_signals(samples: pl.DataFrame) -> tuple[pl.DataFrame, GradeSource | None]:
    """Stored samples as model input signals, and the grade source to keep (None: derive again)."""
    frame = samples.sort("ts_utc")
    source = GradeSource(frame.get_column("grade_source")[0]) if frame.height else GradeSource.NONE
    has_distance = "distance_m" in frame.columns
    rederive = source.from_altitude and has_distance
    signals = frame.select(
        pl.col("ts_utc").cast(pl.Datetime("us", "UTC")),
        pl.col("dt_s"),
        pl.col("speed_mps"),
        pl.col("altitude_m"),
        pl.col("distance_m") if has_distance else pl.lit(None, dtype=pl.Float64).alias("distance_m"),
        pl.col("grade_pct"),
        pl.lit(None, dtype=pl.Float64).alias("incline_pct"),
        pl.col("power_w"),
        pl.col("heart_rate_bpm"),
        pl.col("cadence"),
    ).cast({c: pl.Float64 for c in SIGNAL_COLUMNS if c != "ts_utc"})
    if rederive:
        signals = signals.with_columns(pl.lit(None, dtype=pl.Float64).alias("grade_pct"))
    return signals, None if rederive else source


@dataclass(frozen=True, slots=True)
class _Seconds:
    """A session screened and its profile chosen, with what its efforts, segments and summary
    need: the part of the model that runs per session (:func:`_finish_all` takes it from here).
    Its derived signals are a query not yet run, so that a batch's sessions run theirs together."""

    #: The derived signals (:func:`.derive.derive_query`), to be run.
    derived: pl.LazyFrame
    kind: SessionKind
    profile: AthleteProfile
    totals: DeviceTotals
    #: The screen's warnings (the intensity cap's, if any, joins them when the seconds are classified).
    warnings: tuple[str, ...]
    front: ScreenedSession
    #: The channels as recorded (put back into the samples in the end).
    completed: pl.DataFrame
    sets: Sequence[StrengthSet]
    finish: dict[str, Any]


def _seconds(
    completed: pl.DataFrame,
    kind: SessionKind,
    totals: DeviceTotals,
    profile: AthleteProfile,
    config: HamflowConfig,
    *,
    keep_grade: GradeSource | None = None,
    calibrate: Calibrator | None = None,
    front: ScreenedSession | None = None,
    sets: Sequence[StrengthSet] = (),
    **finish: Any,
) -> Steps[_Seconds]:
    """Completed 1 Hz signals -> screened -> profile chosen -> the derived signals' query. The
    stored samples keep the completed values, masked ones included (their ``masked`` column
    names them), so running this again on stored samples screens and classifies exactly as the
    first time."""
    if front is None:
        front = yield from _screened(completed, kind, totals, config, session_index=finish["session_index"],
                                     start_utc=finish["start_utc"])
    kind, screened = front.kind, front.screened
    if calibrate is not None:
        profile = calibrate(front.shown)
    derived = derive_query(screened.model_view, kind, profile, config.model, keep_grade=keep_grade)
    if not screened.session_distance_ok:
        finish["distance_m"] = None
    device_span_unusable = totals.elapsed_s is None or not screened.session_time_ok
    if device_span_unusable and screened.kept_span_s is not None and finish.get("elapsed_s") is not None:
        finish["elapsed_s"] = min(finish["elapsed_s"], screened.kept_span_s)  # no session message: what was kept
    finish["start_utc"] = front.shown.start_utc
    return _Seconds(derived, kind, profile, totals, screened.warnings, front, completed, sets, finish)


@dataclass(frozen=True, slots=True)
class _Classified:
    """A session's seconds classified: its samples (:data:`SAMPLE_COLUMNS`, in one chunk: float
    sums then run in one fixed order however the frame was assembled) and all its warnings."""

    samples: pl.DataFrame
    warnings: tuple[str, ...]


def _classified_all(sessions: Sequence[_Seconds], config: HamflowConfig) -> list[_Classified]:
    """Each session's derived signals, intensity cap and per-second patterns and loads: three
    calls for all the sessions (``collect_all``), each session's result what it gives alone."""
    model = config.model
    derived = collect_all([s.derived for s in sessions])
    capped = cap_session_intensity(derived, [s.kind.activity for s in sessions], model.quality)
    samples = collect_all([classify_query(frame.lazy(), s.kind, s.profile, model).select(SAMPLE_COLUMNS)
                           for s, (frame, _) in zip(sessions, capped, strict=True)])
    return [
        _Classified(frame.rechunk(), s.warnings + ((warning,) if warning else ()))
        for s, frame, (_, warning) in zip(sessions, samples, capped, strict=True)
    ]


def _finish_all(sessions: Sequence[_Seconds], config: HamflowConfig) -> list[ClassifiedSession]:
    """Classified seconds, then efforts, segments and summary of each session. Each step runs
    once over all the sessions (efforts and segments in one query, :mod:`.sessions`; the rest
    in step, :func:`.query.run_together`): each session's results are what it gives alone."""
    model = config.model
    classified = _classified_all(sessions, config)
    frames = [c.samples for c in classified]
    effort_frames = efforts_of(frames, min_samples=model.thresholds.effort_min_samples)
    segment_frames = segments_of(frames, min_seconds=model.sampling.segment_min_s,
                                 effort_min_samples=model.thresholds.effort_min_samples)
    # A failure is raised: classify_files then tells which file it was.
    return _all_or_raise(run_together([_finished(s, c, e, seg, config) for s, c, e, seg
                                       in zip(sessions, classified, effort_frames, segment_frames, strict=True)]))


def _finished(s: _Seconds, classified: _Classified, effort_frame: pl.DataFrame, seg: pl.DataFrame,
              config: HamflowConfig) -> Steps[ClassifiedSession]:
    model, kind = config.model, s.kind
    set_rows = sets_frame(s.sets if kind.activity is Activity.STRENGTH else (), model.strength)
    summary = yield from summarise_steps(
        classified.samples,
        effort_frame,
        set_rows,
        kind=kind,
        model=model,
        model_version=config.model_version,
        athlete_id=s.finish["athlete_id"],
        session_index=s.finish["session_index"],
        start_utc=s.finish["start_utc"],
        elapsed_s=s.finish["elapsed_s"],
        session_distance_m=s.finish["distance_m"],
        device=s.totals,
        quality_warnings=classified.warnings,
    )
    summary = dataclasses.replace(summary, reasons=reasons_for(summary, kind, model, s.profile))
    # The recorded channels and the mask put back in their places (column by column: the same
    # frame as a with_columns call gives, without its query).
    as_recorded = classified.samples.clone()
    for column in (*[s.completed.get_column(c) for c in CHANNELS], s.front.screened.frame.get_column("masked")):
        as_recorded.replace_column(as_recorded.get_column_index(column.name), column)
    return ClassifiedSession(summary=summary, samples=as_recorded, segments=seg, sets=set_rows, efforts=effort_frame,
                             evidence=s.front.shown.candidates, profile=s.profile)


def _span(session: Session) -> tuple[datetime | None, datetime | None]:
    start = session.start_utc
    if session.records.height:
        first: datetime | None = session.records.select(pl.col("ts_utc").min()).item()
        last: datetime | None = session.records.select(pl.col("ts_utc").max()).item()
        start = start if start is not None else first
        end = last
    elif start is not None and session.elapsed_s is not None:
        end = start + timedelta(seconds=session.elapsed_s)
    else:
        end = None
    return start, end
