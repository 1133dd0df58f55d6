"""The survey hands each file it decoded and screened to its prepare: a shortcut only, so a run
writes the same rows whether prepare takes the handoff, finds it missing or finds it damaged."""

from __future__ import annotations

import io
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest

from hamflow.fit import DECODER_ENV, read_fit
from hamflow.ingest import IngestError, IngestOptions, LocalEngine
from hamflow.ingest.files import discover_inbox, with_hashes
from hamflow.ingest.handoff import FORMAT, Handoff, Packed, handoff_directory, take_handoff, write_handoff
from hamflow.ingest.prepare import prepare_file
from hamflow.ingest.run import run
from hamflow.model import HamflowConfig
from hamflow.model.classify import screen_file
from hamflow.model.config_load import load_config

from ..helpers import SAMPLES, assert_same, sample, snapshot

CONFIG = load_config(None)
OPTIONS = IngestOptions(settle_s=0.0, batch_size=4)
TABLES = ("fit_files", "workouts", "samples", "segments", "workout_patterns", "weekly_posterior_load",
          "workout_evidence", "athlete_thresholds", "strength_sets")


class WatchedEngine(LocalEngine):
    """The local engine, noting the handoff directory and what the survey left in it; ``spoil``
    then damages every handoff (``truncated``) or removes it (``missing``) before prepare."""

    def __init__(self, spoil: str | None = None) -> None:
        super().__init__()
        self.spoil = spoil
        self.directory: str | None = None
        self.left: list[str] = []
        self.untaken: list[str] | None = None

    def survey(self, work: list, config: HamflowConfig, options: IngestOptions, handoff: str | None = None) -> Iterator:
        found = list(super().survey(work, config, options, handoff))
        assert handoff is not None
        self.directory = handoff
        files = sorted(Path(handoff).iterdir())
        self.left = [f.name for f in files]
        for f in files:
            if self.spoil == "truncated":
                f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
            elif self.spoil == "missing":
                f.unlink()
        return iter(found)

    def prepare(self, work: list, config: HamflowConfig, options: IngestOptions, priors: object = None,
                handoff: str | None = None) -> Iterator:
        for batch in super().prepare(work, config, options, priors, handoff):  # type: ignore[arg-type]
            self.untaken = sorted(p.name for p in Path(handoff).iterdir()) if handoff else None  # after this batch
            yield batch


def _inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    for athlete in ("ana", "ben"):
        shutil.copytree(SAMPLES / athlete, inbox / athlete)
    return inbox


@pytest.mark.parametrize(("spoil", "keep_positions"), [("truncated", False), ("missing", True)])
def test_a_run_that_takes_the_surveys_handoffs_writes_what_a_run_whose_handoffs_are_spoiled_writes(
        tmp_path: Path, spoil: str, keep_positions: bool) -> None:
    inbox = _inbox(tmp_path)
    options = replace(OPTIONS, keep_positions=keep_positions)  # the survey decodes as prepare would
    taken, fallen_back = WatchedEngine(), WatchedEngine(spoil)
    first = run([inbox], tmp_path / "taken.duckdb", CONFIG, options, engine=taken)
    second = run([inbox], tmp_path / "spoiled.duckdb", CONFIG, options, engine=fallen_back)
    assert first.ok and second.ok and first.counts.workouts_added == second.counts.workouts_added > 0
    surveyed = len(discover_inbox([inbox]).candidates)
    assert 0 < len(taken.left) <= surveyed  # the sound activity files of both athletes
    assert taken.untaken == []  # each was read and deleted by its prepare
    assert fallen_back.left == taken.left
    assert_same(snapshot(tmp_path / "taken.duckdb", TABLES), snapshot(tmp_path / "spoiled.duckdb", TABLES))


def test_the_handoff_directory_is_gone_after_a_run(tmp_path: Path) -> None:
    engine = WatchedEngine()
    assert run([_inbox(tmp_path)], tmp_path / "a.duckdb", CONFIG, OPTIONS, engine=engine).ok
    assert engine.directory is not None and engine.left
    assert not Path(engine.directory).exists()


def test_a_killed_runs_handoff_directory_is_removed_by_the_next_run(tmp_path: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    left = Path(tempfile.gettempdir()) / f"hamflow-handoff-{gone.stdout.strip()}-killed"
    left.mkdir()
    (left / "partial.handoff").write_bytes(b"left by a run that was killed")
    ours = Path(tempfile.mkdtemp(prefix=f"hamflow-handoff-{os.getpid()}-"))  # a live run's: kept
    try:
        assert run([_inbox(tmp_path)], tmp_path / "a.duckdb", CONFIG, OPTIONS).ok
        assert not left.exists()
        assert ours.exists()
    finally:
        shutil.rmtree(left, ignore_errors=True)
        shutil.rmtree(ours, ignore_errors=True)


class VanishingInbox(WatchedEngine):
    """The inbox disappears between the survey and prepare (a mount that went away)."""

    def __init__(self, inbox: Path) -> None:
        super().__init__()
        self.inbox = inbox

    def survey(self, work: list, config: HamflowConfig, options: IngestOptions, handoff: str | None = None) -> Iterator:
        found = super().survey(work, config, options, handoff)
        shutil.rmtree(self.inbox)
        return found


def test_the_handoff_directory_is_gone_after_a_failed_run(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path)
    engine = VanishingInbox(inbox)
    with pytest.raises(IngestError, match="could be read"):
        run([inbox], tmp_path / "a.duckdb", CONFIG, OPTIONS, engine=engine)
    assert engine.directory is not None and engine.left  # the survey had left its files
    assert not Path(engine.directory).exists()


def test_a_corrupt_handoff_is_dropped_and_the_file_prepared_as_without_one(tmp_path: Path) -> None:
    path = sample("easy_run")
    [candidate] = with_hashes(discover_inbox([path]).candidates, CONFIG.archives)
    sha = candidate.sha256
    assert sha is not None
    result = read_fit(path)
    with handoff_directory() as directory:
        write_handoff(directory, sha, Handoff(result, tuple(screen_file(result, CONFIG))))
        written = Path(directory) / f"{sha}.handoff"
        written.write_bytes(b"\x80\x05not a pickle" + written.read_bytes()[40:])
        assert take_handoff(directory, sha) is None
        assert not written.exists()  # read once, whatever it held
        write_handoff(directory, sha, Handoff(result, tuple(screen_file(result, CONFIG))))
        from_handoff = prepare_file(candidate, CONFIG, handoff=directory)
        assert not written.exists()
    decoded = prepare_file(candidate, CONFIG)
    assert from_handoff.status == decoded.status == "ingested"
    for table in ("workouts", "samples", "segments", "workout_patterns", "workout_evidence"):
        assert getattr(from_handoff, table).equals(getattr(decoded, table)), table


def test_a_handoff_left_for_another_file_is_not_taken(tmp_path: Path) -> None:
    result = read_fit(sample("easy_run"))
    with handoff_directory() as directory:
        write_handoff(directory, "0" * 64, Handoff(result, tuple(screen_file(result, CONFIG))))
        assert take_handoff(directory, "0" * 64) is None


def test_with_the_reference_decoder_nothing_is_handed_off_and_the_stored_decoder_is_fitparse(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DECODER_ENV, "fitparse")
    engine = WatchedEngine()
    report = run([_inbox(tmp_path)], tmp_path / "a.duckdb", CONFIG, OPTIONS, engine=engine)
    assert report.ok and report.counts.workouts_added > 0
    assert engine.left == []
    decoders = snapshot(tmp_path / "a.duckdb", ("fit_files",))["fit_files"].get_column("decoder").unique().to_list()
    assert decoders == ["fitparse"]


def _handed(name: str = "easy_run") -> Handoff:
    result = read_fit(sample(name))
    return Handoff(result, tuple(screen_file(result, CONFIG)))


def _frames(handoff: Handoff) -> list[pl.DataFrame]:
    frames = [s.records for s in handoff.result.sessions]
    for s in handoff.screened:
        frames += [s.completed, s.screened.frame] + ([s.screened.applied] if s.screened.applied is not None else [])
    return frames


def _bits(column: pl.Series) -> pa.Array:
    """A float column's values as the unsigned integers of their bits (0.0 and -0.0 apart)."""
    return column.to_arrow().view(pa.uint64())


def test_a_handoff_reads_back_every_frame_and_its_sortedness_as_written(tmp_path: Path) -> None:
    handed = _handed()
    sha = handed.result.identity.sha256
    with handoff_directory() as directory:
        write_handoff(directory, sha, handed)
        taken = take_handoff(directory, sha)
    assert taken is not None
    flagged = 0
    for written, read in zip(_frames(handed), _frames(taken), strict=True):
        assert read.schema == written.schema and read.equals(written)
        for a, b in zip(written.iter_columns(), read.iter_columns(), strict=True):
            assert a.flags == b.flags, a.name
            flagged += a.flags["SORTED_ASC"] or a.flags["SORTED_DESC"]
    assert flagged > 0
    assert [(s.kind, s.shown, s.screened.warnings) for s in taken.screened] == \
        [(s.kind, s.shown, s.screened.warnings) for s in handed.screened]


def _written(directory: str, handoff: Handoff) -> tuple[Path, Packed]:
    sha = handoff.result.identity.sha256
    write_handoff(directory, sha, handoff)
    path = Path(directory) / f"{sha}.handoff"
    return path, pickle.loads(path.read_bytes())


def test_a_column_its_frames_share_is_written_once(tmp_path: Path) -> None:
    handed = _handed()
    with handoff_directory() as directory:
        _, packed = _written(directory, handed)
    assert packed.format == FORMAT and len(packed.frames) == len(_frames(handed))
    held = sum(len(columns) for columns in packed.frames)
    written = sum(pl.read_ipc_stream(io.BytesIO(group)).width for group in packed.groups)
    assert written == len({(c.group, c.at) for columns in packed.frames for c in columns})
    assert written < held / 2  # records, grid, screened grid and model view share most columns


def test_a_column_that_differs_from_another_only_by_the_sign_of_its_zeros_is_written_apart(tmp_path: Path) -> None:
    handed = _handed()
    first = handed.screened[0]
    zeros = first.completed.with_columns(pl.lit(0.0).alias("speed_mps"))
    minus_zeros = first.screened.frame.with_columns(pl.lit(-0.0).alias("speed_mps"))
    assert zeros.get_column("speed_mps").equals(minus_zeros.get_column("speed_mps"))  # equal to polars
    signed = replace(first, completed=zeros, screened=replace(first.screened, frame=minus_zeros))
    with handoff_directory() as directory:
        sha = handed.result.identity.sha256
        write_handoff(directory, sha, replace(handed, screened=(signed, *handed.screened[1:])))
        taken = take_handoff(directory, sha)
    assert taken is not None
    assert _bits(taken.screened[0].completed.get_column("speed_mps")).equals(_bits(zeros.get_column("speed_mps")))
    assert _bits(taken.screened[0].screened.frame.get_column("speed_mps")).equals(
        _bits(minus_zeros.get_column("speed_mps")))


def test_a_handoff_whose_shared_column_is_cut_is_dropped_and_the_file_prepared_as_without_one(tmp_path: Path) -> None:
    path = sample("easy_run")
    [candidate] = with_hashes(discover_inbox([path]).candidates, CONFIG.archives)
    handed = _handed()
    with handoff_directory() as directory:
        written, packed = _written(directory, handed)
        references = [(c.group, c.at) for columns in packed.frames for c in columns]
        group, at = next(ref for ref in references if references.count(ref) > 1)
        cut = pl.read_ipc_stream(io.BytesIO(packed.groups[group])).drop(str(at))
        buffer = io.BytesIO()
        cut.write_ipc_stream(buffer)
        groups = list(packed.groups)
        groups[group] = buffer.getvalue()
        spoiled = pickle.dumps(replace(packed, groups=tuple(groups)))
        written.write_bytes(spoiled)
        assert take_handoff(directory, handed.result.identity.sha256) is None
        written.write_bytes(spoiled)
        from_cut = prepare_file(candidate, CONFIG, handoff=directory)
        assert not written.exists()  # read once, and dropped
    decoded = prepare_file(candidate, CONFIG)
    assert from_cut.status == decoded.status == "ingested"
    for table in ("workouts", "samples", "segments", "workout_patterns", "workout_evidence"):
        assert getattr(from_cut, table).equals(getattr(decoded, table)), table


def test_a_handoff_in_another_layout_is_not_taken(tmp_path: Path) -> None:
    handed = _handed()
    sha = handed.result.identity.sha256
    with handoff_directory() as directory:
        (Path(directory) / f"{sha}.handoff").write_bytes(pickle.dumps(handed))  # the dataclasses pickled whole
        assert take_handoff(directory, sha) is None
