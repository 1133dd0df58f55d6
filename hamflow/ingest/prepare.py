"""One FIT file -> :class:`~hamflow.store.prepared.PreparedFile`: decode, classify, shape the rows.

Pure apart from reading the file (from disk, or from its archive by its ``archive!member`` name:
a worker anywhere that sees the inbox reads it itself): no database, no global state, so it runs the same in this
process, a process pool or a Dask worker, and the rows do not depend on which files arrive
with it or in what order.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

import polars as pl

from ..fit import FitDecodeError, FitResult, decode_fit_bytes, decoder_version
from ..model import ClassifiedSession, WorkoutSummary, local_start, local_week_start
from ..model import HamflowConfig as Config
from ..model.classify import Calibrator, FileToClassify, ScreenedSession, classify_files
from ..model.duplicates import Role
from ..model.thresholds import METRICS, PriorThresholds
from ..store.path_entry import PathEntry
from ..store.prepared import FileStatus, PreparedFile
from .archives import ArchiveError, ArchiveReader
from .files import Candidate
from .handoff import hands_off, take_handoff

DEFAULT_ATHLETE = "default"

#: The reference decoder, recorded for files that no decoder read (too large) or that it
#: rejected (every decode error comes from it); decoded files record the decoder that ran.
DECODER: Final = "fitparse"
DECODER_VERSION = decoder_version(DECODER)


def resolve_athlete(candidate: Candidate, result: FitResult | None, config: Config, explicit: str | None) -> str:
    """``--athlete`` > the inbox folder > the device serial number in the config > default."""
    if explicit:
        return explicit
    if candidate.folder_athlete:
        return candidate.folder_athlete
    serial = result.identity.serial_number if result is not None else None
    if serial is not None:
        owner = config.athlete_for_serial(serial)
        if owner:
            return owner
    return DEFAULT_ATHLETE


def workout_id(sha256: str, session_index: int) -> str:
    return f"{sha256[:16]}-{session_index}"


def _described(c: Candidate, athlete: str, status: FileStatus, reason: str | None, detail: str | None,
               result: FitResult | None = None) -> PreparedFile:
    """A prepared file without rows: what the run knows about the file itself."""
    ident = result.identity if result is not None else None
    return PreparedFile(
        sha256=c.sha256 or "", path=c.path, size_bytes=c.size_bytes, mtime_ns=c.mtime_ns, athlete_id=athlete,
        index_entry=c.path_entry() if c.sha256 is not None and (c.member or c.problem) else None,
        status=status, reason=reason, detail=detail,
        decoder=result.decoder if result is not None else DECODER,
        decoder_version=decoder_version(result.decoder) if result is not None else DECODER_VERSION,
        file_type=ident.file_type if ident else None, manufacturer=ident.manufacturer if ident else None,
        product=ident.product if ident else None, serial_number=ident.serial_number if ident else None,
        decode_status=result.status if result is not None else None,
        warnings=result.warnings if result is not None else (),
    )


def _quarantined(c: Candidate, athlete: str, reason: str, detail: str | None, result: FitResult | None = None) -> PreparedFile:
    # A quarantined file records what the decoder said about its identity, not its warnings.
    return replace(_described(c, athlete, "quarantined", reason, detail, result), decode_status=None, warnings=())


def _untimed(result: FitResult) -> str:
    """Why an activity file gives no workout, in words. In the corpus these are pool swims: the
    watch writes a record per length without a time stamp, so there is no second to place them
    in, and a swim carries no posterior or quad load in this model anyway. They are kept as
    ``not_activity`` rather than guessed into a timeline."""
    sessions = [f"{s.sport}/{s.sub_sport or 'generic'}"
                + (f" of {s.elapsed_s / 60:.0f} min" if s.elapsed_s else "")
                + (f", {s.distance_m:.0f} m" if s.distance_m else "") for s in result.sessions]
    what = "; ".join(sessions) or "no session"
    if result.record_count:
        return f"{what}: none of its {result.record_count} records has a time stamp, so no second can be analysed"
    return f"{what}: no records to analyse"


#: FIT activity files are kilobytes to a few megabytes; anything far larger is not worth decoding.
DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024


def prepare_file(c: Candidate, config: Config, *, athlete: str | None = None, keep_positions: bool = False,
                 max_file_bytes: int = DEFAULT_MAX_FILE_BYTES, reader: ArchiveReader | None = None,
                 priors: PriorThresholds | None = None, handoff: str | None = None) -> PreparedFile:
    """Decode and classify one file. Never raises for a bad file: it comes back quarantined.

    ``reader`` opens archive members; pass one per batch so that an archive is opened once.
    ``priors``: the athletes' thresholds timelines of the other workouts, so each workout is
    classified with the values calibration would give it (without: its own candidates only).
    ``handoff``: the run's handoff directory; a file the survey left there decoded and screened
    is taken from it instead of being decoded and screened again (:mod:`.handoff`). The bytes
    are still read and their hash checked, so a file that changed is caught as without it.
    """
    return prepare_batch([c], config, athlete=athlete, keep_positions=keep_positions, max_file_bytes=max_file_bytes,
                         reader=reader, priors=priors, handoff=handoff)[0]


def prepare_batch(candidates: Sequence[Candidate], config: Config, *, athlete: str | None = None,
                  keep_positions: bool = False, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
                  reader: ArchiveReader | None = None, priors: PriorThresholds | None = None,
                  handoff: str | None = None) -> list[PreparedFile]:
    """:func:`prepare_file` of each of several files, in their order: each file read and
    decoded on its own, their sessions classified together
    (:func:`~hamflow.model.classify.classify_files`), which pays the model's fixed costs once
    for the batch; each file's rows are what it gives alone."""
    read = [_read(c, config, athlete=athlete, keep_positions=keep_positions, max_file_bytes=max_file_bytes,
                  reader=reader, handoff=handoff) for c in candidates]
    decoded = [r for r in read if isinstance(r, _Decoded)]
    started = time.process_time()
    prepared = iter(_prepare_all(decoded, config, athlete=athlete, priors=priors))
    # Timed here, not in the caller, so the run can say whether decoding or classifying costs;
    # in CPU seconds, so that other work on a shared machine does not inflate them. The batch's
    # classifying is shared between its files by their records.
    classify_s = time.process_time() - started
    weights = [_records(r.decoded) for r in decoded]
    shares = iter([classify_s * w / sum(weights) if sum(weights) else classify_s / len(weights) for w in weights])
    return [
        r if not isinstance(r, _Decoded)
        else replace(next(prepared), decode_s=r.decode_s, classify_s=next(shares))
        for r in read
    ]


@dataclass(frozen=True, slots=True)
class _Decoded:
    """A file read and decoded (or found not decodable), before it is classified."""

    #: The candidate as its rows record it (an archive member with the FIT file's own size).
    candidate: Candidate
    decoded: FitResult | FitDecodeError
    screened: tuple[ScreenedSession, ...] | None
    #: The path index's entry, where it differs from the candidate's (an archive member's).
    index_entry: PathEntry | None
    decode_s: float


def _records(decoded: FitResult | FitDecodeError) -> int:
    return 0 if isinstance(decoded, FitDecodeError) else sum(s.records.height for s in decoded.sessions)


def _read(c: Candidate, config: Config, *, athlete: str | None, keep_positions: bool, max_file_bytes: int,
          reader: ArchiveReader | None, handoff: str | None) -> PreparedFile | _Decoded:
    """A file's bytes read and decoded; a file that gives no bytes to decode comes back
    quarantined."""
    if c.problem is not None:  # a damaged or over-limit archive: its reason is all there is
        on_disk = replace(c, size_bytes=c.disk_stat[0])  # the archive's size: the member's is unknown
        quarantined = _quarantined(on_disk, resolve_athlete(c, None, config, athlete), c.problem.reason, c.problem.detail)
        return replace(quarantined, index_entry=c.path_entry())
    if c.size_bytes > max_file_bytes:
        return _quarantined(c, resolve_athlete(c, None, config, athlete), "too_large",
                            f"{c.size_bytes} bytes is over the limit of {max_file_bytes} (--max-file-mb)")
    started = time.process_time()
    decoded: FitResult | FitDecodeError
    screened: tuple[ScreenedSession, ...] | None = None
    size: int | None = None
    try:
        data = read_candidate(c, config, max_file_bytes, reader)
    except OSError as exc:
        decoded = FitDecodeError("unreadable", f"cannot read {c.path}: {exc.strerror or exc}")
    except ArchiveError as exc:
        return _quarantined(c, resolve_athlete(c, None, config, athlete), exc.reason, exc.detail)
    else:
        if data is None:
            return _quarantined(c, resolve_athlete(c, None, config, athlete), "too_large",
                                f"over the limit of {max_file_bytes} bytes uncompressed (--max-file-mb)")
        if c.sha256 is not None and hashlib.sha256(data).hexdigest() != c.sha256:
            # Rewritten since it was hashed: whatever these bytes say belongs to no known hash.
            return _quarantined(c, resolve_athlete(c, None, config, athlete), "changed_during_read",
                                "the file changed while it was being read")
        size = len(data)
        handed = take_handoff(handoff, c.sha256) if handoff is not None and c.sha256 is not None and hands_off() else None
        if handed is not None:
            decoded, screened = handed.result, handed.screened
        else:
            try:
                decoded = decode_fit_bytes(data, path=c.path, keep_positions=keep_positions)
            except FitDecodeError as exc:
                decoded = exc
    decode_s = time.process_time() - started
    if c.member is not None and size is not None:
        # fit_files keeps the FIT file's own size; the path index keeps the archive's stamp.
        return _Decoded(replace(c, size_bytes=size), decoded, screened, c.path_entry(), decode_s)
    return _Decoded(c, decoded, screened, None, decode_s)


def read_candidate(c: Candidate, config: Config, max_file_bytes: int, reader: ArchiveReader | None) -> bytes | None:
    """The file's bytes (None when an archive member turns out larger than ``max_file_bytes``)."""
    if c.member is None:
        return Path(c.path).read_bytes()
    if reader is not None:
        return reader.read(c.member, max_file_bytes)
    with ArchiveReader(config.archives) as own:
        return own.read(c.member, max_file_bytes)


def prepare_decoded(c: Candidate, result: FitResult | FitDecodeError, config: Config, *, athlete: str | None = None,
                    priors: PriorThresholds | None = None,
                    screened: tuple[ScreenedSession, ...] | None = None) -> PreparedFile:
    """Classify an already decoded file (or record why it could not be decoded); ``screened``:
    its sessions already screened (:func:`~hamflow.model.classify.screen_file`)."""
    return _prepare_all([_Decoded(c, result, screened, None, 0.0)], config, athlete=athlete, priors=priors)[0]


def _prepare_all(files: Sequence[_Decoded], config: Config, *, athlete: str | None,
                 priors: PriorThresholds | None) -> list[PreparedFile]:
    """Each decoded file's rows (or why it has none), the files with sessions classified
    together."""
    early = [_unclassified(f.candidate, f.decoded, config, athlete) for f in files]
    todo = [(f, athlete_id) for f, athlete_id in zip(files, early, strict=True) if isinstance(athlete_id, str)]
    classified = iter(classify_files([
        FileToClassify(f.decoded, athlete_id, calibrate=_with_priors(priors, config, athlete_id, f.candidate.sha256 or ""),
                       screened=f.screened)
        for f, athlete_id in todo
        if isinstance(f.decoded, FitResult)
    ], config))
    out = []
    for f, athlete_id in zip(files, early, strict=True):
        prepared = _classified(f.candidate, athlete_id, f.decoded, next(classified), config) \
            if isinstance(athlete_id, str) and isinstance(f.decoded, FitResult) else athlete_id
        assert isinstance(prepared, PreparedFile)
        out.append(replace(prepared, index_entry=f.index_entry) if f.index_entry is not None else prepared)
    return out


def _unclassified(c: Candidate, result: FitResult | FitDecodeError, config: Config, athlete: str | None) -> PreparedFile | str:
    """Why a decoded file gives no sessions to classify, or (when it does) its athlete."""
    if isinstance(result, FitDecodeError):
        return _quarantined(c, resolve_athlete(c, None, config, athlete), result.reason, result.detail)
    if result.identity.sha256 != c.sha256:
        # The file changed between hashing and decoding: identity would be wrong; next run retries.
        return _quarantined(c, resolve_athlete(c, result, config, athlete), "changed_during_read",
                            "the file changed while it was being read")
    athlete_id = resolve_athlete(c, result, config, athlete)
    if not result.is_activity:
        return _described(c, athlete_id, "not_activity", None, f"a {result.kind} file: nothing to analyse", result)
    if not result.sessions:
        return _described(c, athlete_id, "not_activity", "no_data", _untimed(result), result)
    return athlete_id


def _classified(c: Candidate, athlete_id: str, result: FitResult, classified: list[ClassifiedSession] | Exception,
                config: Config) -> PreparedFile:
    """A classified file's rows (or why it has none)."""
    try:
        if isinstance(classified, Exception):
            raise classified
        frames = _frames(c.sha256 or "", athlete_id, result, classified, config)
    except Exception as exc:
        return _quarantined(c, athlete_id, "classify_error", f"{type(exc).__name__}: {exc}", result)
    if frames.workouts.is_empty():
        return _described(c, athlete_id, "not_activity", "no_data", _untimed(result), result)
    described = _described(c, athlete_id, "ingested", None, "; ".join(result.warnings) or None, result)
    return replace(described, workouts=frames.workouts, workout_patterns=frames.workout_patterns,
                   segments=frames.segments, samples=frames.samples, strength_sets=frames.strength_sets,
                   workout_evidence=frames.workout_evidence)


def _with_priors(priors: PriorThresholds | None, config: Config, athlete_id: str, sha: str) -> Calibrator | None:
    """Each session of the file judged by its athlete's timeline at its start (None: by its own
    candidates alone)."""
    if priors is None:
        return None
    return lambda shown: priors.profile(config, athlete_id, workout_id(sha, shown.session_index), shown.start_utc,
                                        shown.candidates)


@dataclass(frozen=True, slots=True)
class _Rows:
    """One file's rows for the tables of the same names."""

    workouts: pl.DataFrame
    workout_patterns: pl.DataFrame
    segments: pl.DataFrame
    samples: pl.DataFrame
    strength_sets: pl.DataFrame
    workout_evidence: pl.DataFrame


_EVIDENCE_SCHEMA: dict[str, pl.DataType] = {
    "workout_id": pl.Utf8(), "athlete_id": pl.Utf8(), "start_utc": pl.Datetime("us", "UTC"), "metric": pl.Utf8(),
    "value": pl.Float64(), "evidence": pl.Utf8(), "threshold_used": pl.Float64(),
}


def evidence_frame(cs: ClassifiedSession, *, wid: str, athlete_id: str, start_utc: datetime) -> pl.DataFrame:
    """The ``workout_evidence`` rows of one classified session: one per calibrated metric."""
    found = {c.metric: c for c in cs.evidence}
    profile = cs.profile
    assert profile is not None, "a classified session records its profile"
    rows = []
    for m in METRICS:
        c = found.get(m.name)
        rows.append({"workout_id": wid, "athlete_id": athlete_id, "start_utc": start_utc, "metric": m.name,
                     "value": c.value if c else None, "evidence": c.evidence if c else None,
                     "threshold_used": float(getattr(profile, m.name))})
    return pl.DataFrame(rows, schema=_EVIDENCE_SCHEMA)


#: The ``workouts`` table's columns, in order (sql/001_schema.sql).
WORKOUT_COLUMNS: tuple[str, ...] = (
    "workout_id", "file_sha256", "athlete_id", "session_index", "sport", "sub_sport", "start_utc",
    "utc_offset_min", "start_local", "week_start", "duration_s", "moving_s", "distance_m", "grade_source",
    "posterior_load", "quad_load", "posterior_share", "workout_class", "dominant_pattern", "sprint_efforts",
    "is_sprint_session", "is_leg_day", "reasons", "model_version", "hsr_distance_m", "sprint_distance_m",
    "maxv_s", "is_incline_walk", "is_rowing", "posterior_s", "quad_s", "quality_warnings",
    "device_elapsed_s", "device_timer_s", "device_distance_m", "device_max_speed_mps", "device_max_power_w",
    "device_ascent_m", "duplicate_of", "clock_offset_s", "merged_streams", "device_utc_offset_min",
)


def workout_record(summary: WorkoutSummary, *, wid: str, sha: str, athlete_id: str, device_utc_offset_min: int | None,
                   timezone: str | None, role: Role | None = None) -> dict[str, object]:
    """One ``workouts`` row from a model summary (which must have a start time), placed in local
    time by the file's own UTC offset, else the athlete's ``timezone``, and its role among the
    recordings of one workout (a fresh file is a single recording until the run's merge step
    looks at its athlete's other files). Ingest and reprocess both place workouts here."""
    start = summary.start_utc
    assert start is not None, "only sessions with a start time are workouts"
    role = role or Role(wid)
    row = summary.to_row()
    row.update(workout_id=wid, file_sha256=sha, athlete_id=athlete_id, device_utc_offset_min=device_utc_offset_min,
               utc_offset_min=offset_used(start, device_utc_offset_min, timezone),
               start_local=local_start(start, device_utc_offset_min, timezone),
               week_start=local_week_start(start, device_utc_offset_min, timezone), duplicate_of=role.duplicate_of,
               clock_offset_s=role.clock_offset_s, merged_streams=list(role.merged_streams))
    return {c: row[c] for c in WORKOUT_COLUMNS}


def workout_frame(records: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(records, schema_overrides=_WORKOUT_TYPES).select(WORKOUT_COLUMNS)


def offset_used(start_utc: datetime, file_offset_min: int | None, timezone: str | None) -> int | None:
    """The UTC offset that placed the workout in local time; None when UTC was a fallback."""
    if file_offset_min is not None:
        return file_offset_min
    if timezone:
        offset = start_utc.astimezone(ZoneInfo(timezone)).utcoffset()
        return int(offset.total_seconds() // 60) if offset is not None else None
    return None


def _frames(sha: str, athlete_id: str, result: FitResult, classified: list[ClassifiedSession], config: Config) -> _Rows:
    timezone = config.profile(athlete_id).timezone
    workouts: list[dict[str, object]] = []
    patterns: list[pl.DataFrame] = []
    segments: list[pl.DataFrame] = []
    samples: list[pl.DataFrame] = []
    sets: list[pl.DataFrame] = []
    evidence: list[pl.DataFrame] = []
    for cs in classified:
        s = cs.summary
        if cs.samples.is_empty() or s.start_utc is None:
            continue
        wid = workout_id(sha, s.session_index)
        workouts.append(workout_record(s, wid=wid, sha=sha, athlete_id=athlete_id,
                                       device_utc_offset_min=result.utc_offset_min, timezone=timezone))
        patterns.append(_tagged(cs.patterns, wid))
        segments.append(_tagged(cs.segments, wid))
        samples.append(_tagged(cs.samples, wid))
        evidence.append(evidence_frame(cs, wid=wid, athlete_id=athlete_id, start_utc=s.start_utc))
        if not cs.sets.is_empty():
            sets.append(_tagged(cs.sets, wid))
    def stacked(frames: list[pl.DataFrame]) -> pl.DataFrame:
        return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()

    return _Rows(workouts=workout_frame(workouts) if workouts else pl.DataFrame(), workout_patterns=stacked(patterns),
                 segments=stacked(segments), samples=stacked(samples), strength_sets=stacked(sets),
                 workout_evidence=stacked(evidence))


def _tagged(frame: pl.DataFrame, wid: str) -> pl.DataFrame:
    """``frame`` with a last column ``workout_id``, ``wid`` throughout: the column is repeated
    from one value and appended, where adding it as a literal would run a query per frame."""
    if frame.is_empty():
        return frame.with_columns(pl.lit(wid).alias("workout_id"))
    return frame.hstack([pl.Series("workout_id", [wid], dtype=pl.String).new_from_index(0, frame.height)])


_WORKOUT_TYPES: dict[str, pl.DataType] = {
    "start_utc": pl.Datetime("us", "UTC"), "start_local": pl.Datetime("us"), "week_start": pl.Date(),
    "utc_offset_min": pl.Int32(), "device_utc_offset_min": pl.Int32(), "session_index": pl.Int32(), "sprint_efforts": pl.Int32(),
    "reasons": pl.List(pl.Utf8), "quality_warnings": pl.List(pl.Utf8), "device_elapsed_s": pl.Float64(),
    "device_timer_s": pl.Float64(), "device_distance_m": pl.Float64(), "device_max_speed_mps": pl.Float64(),
    "device_max_power_w": pl.Float64(), "device_ascent_m": pl.Float64(), "sub_sport": pl.Utf8(), "distance_m": pl.Float64(),
    "posterior_share": pl.Float64(),
    "dominant_pattern": pl.Utf8(), "duplicate_of": pl.Utf8(), "clock_offset_s": pl.Float64(),
    "merged_streams": pl.List(pl.Utf8),
}
