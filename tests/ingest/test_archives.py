"""Archives as inboxes: a Strava export, a Garmin Connect export and damaged or hostile archives,
made from real corpus files, ingested into a real database."""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
import sys
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import duckdb
import pytest

from hamflow.ingest import IngestOptions, RunReport, ingest
from hamflow.ingest.files import discover_inbox, with_hashes
from hamflow.model import HamflowConfig
from hamflow.model.config import ArchiveLimits
from hamflow.report.run_summary import run_markdown, run_text

from ..archives import (
    activity,
    bomb_zip,
    corrupt_gzip,
    garmin_export,
    plain_zip,
    rewrite_member_data,
    sha256,
    strava_export,
    truncate_inside_last_member,
)

#: Small enough that a 3 MB archive is over it, large enough for every real export here.
LIMITS = ArchiveLimits(max_total_mb=2.0)
CONFIG = HamflowConfig(archives=LIMITS)
OPTIONS = IngestOptions(settle_s=0.0)

Inbox = tuple[Path, Path, RunReport, dict[str, Path]]


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def archive_inbox(tmp_path_factory: pytest.TempPathFactory) -> Inbox:
    """Two athletes' downloads, good and bad, ingested once."""
    root = tmp_path_factory.mktemp("archives")
    inbox = root / "inbox"
    expected = strava_export(inbox / "ana" / "strava", [activity(0), activity(1)])
    expected |= garmin_export(inbox / "ben" / "garmin.zip", [activity(2), activity(3), activity(4)])
    cut = plain_zip(inbox / "ben" / "cut.zip", [activity(5), activity(6), activity(1)])
    truncate_inside_last_member(inbox / "ben" / "cut.zip")
    expected |= {path: src for path, src in cut.items() if src != activity(1)}  # whole before the break
    corrupt_gzip(inbox / "ana" / "strava" / "activities" / "broken.fit.gz", activity(2))
    bomb_zip(inbox / "ben" / "bomb.zip", activity(0), expanded_mb=1)
    with zipfile.ZipFile(inbox / "ben" / "huge.zip", "w", zipfile.ZIP_STORED) as huge:
        huge.write(activity(6), activity(6).name)
        for i in range(3):
            huge.writestr(f"padding-{i}.fit", os.urandom(1 << 20))
    db = root / "h.duckdb"
    return inbox, db, ingest([inbox], db, CONFIG, OPTIONS), expected


def test_every_fit_member_is_ingested_once_with_the_hash_of_its_uncompressed_bytes(archive_inbox: Inbox) -> None:
    _inbox, db, report, expected = archive_inbox
    stored = {path: (sha, athlete) for path, sha, athlete in
              _rows(db, "SELECT path, file_sha256, athlete_id FROM fit_files WHERE status <> 'quarantined'")}
    assert {path: sha for path, (sha, _) in stored.items()} == {path: sha256(src) for path, src in expected.items()}
    assert {athlete for path, (_, athlete) in stored.items() if "!" in path and "/ana/" in path} == {"ana"}
    assert {athlete for path, (_, athlete) in stored.items() if "/ben/" in path} == {"ben"}
    assert report.counts.workouts_added == _rows(db, "SELECT count(*) FROM workouts")[0][0] > 0
    sizes = dict(_rows(db, "SELECT path, size_bytes FROM fit_files WHERE status <> 'quarantined'"))
    assert sizes == {path: src.stat().st_size for path, src in expected.items()}  # the FIT file's own size


def test_damaged_and_hostile_archives_are_quarantined_with_a_reason(archive_inbox: Inbox) -> None:
    inbox, db, report, _ = archive_inbox
    ben, strava = inbox / "ben", inbox / "ana" / "strava" / "activities"
    wanted = {
        f"{strava}/broken.fit.gz!broken.fit": ("bad_archive", "damaged or truncated"),
        f"{ben}/cut.zip": ("bad_archive", "the 2 FIT file(s) before the break are kept"),
        f"{ben}/bomb.zip!zeros.fit": ("archive_limit", "max_ratio"),
        f"{ben}/huge.zip": ("archive_limit", "max_total_mb"),
    }
    view = {path: (reason, detail) for path, reason, detail in _rows(db, "SELECT path, reason, detail FROM quarantined_files")}
    assert set(view) == set(wanted)
    for path, (reason, words) in wanted.items():
        assert view[path][0] == reason and words in str(view[path][1])
    assert {q.path: q.reason for q in report.quarantined} == {p: r for p, (r, _) in wanted.items()}
    text = run_text(report, config=CONFIG)
    assert all(path in text for path in wanted) and "archive_limit" in text and "bad_archive" in text


def test_files_that_are_not_fit_are_counted_by_extension_in_the_summary_and_the_run_record(archive_inbox: Inbox) -> None:
    _inbox, db, report, _ = archive_inbox
    counts = {".csv": 1, ".gpx": 1, ".gpx.gz": 1, ".tcx": 1, ".json": 1, ".txt": 1}
    assert report.not_fit == counts
    assert "skipped: not FIT (6 files, counted, not read): " in run_text(report, config=CONFIG)
    artifact = run_markdown(report, config=CONFIG)  # what the Prefect UI shows
    assert "## Skipped: not FIT (6 files, counted, not read)" in artifact and "| .gpx.gz | 1 |" in artifact
    (files, by_ext), = _rows(db, f"SELECT files_not_fit, not_fit_by_extension FROM ingest_runs WHERE run_id = '{report.run_id}'")
    assert files == 6 and dict(by_ext) == counts


def test_a_rerun_over_the_same_archives_adds_nothing(archive_inbox: Inbox, tmp_path: Path) -> None:
    inbox, db, _, _ = archive_inbox
    before = _rows(db, "SELECT path, file_sha256, status, reason FROM fit_files ORDER BY path")
    workouts = _rows(db, "SELECT count(*) FROM workouts")
    again = ingest([inbox], db, CONFIG, OPTIONS)
    assert again.counts.workouts_added == 0
    assert _rows(db, "SELECT path, file_sha256, status, reason FROM fit_files ORDER BY path") == before
    assert _rows(db, "SELECT count(*) FROM workouts") == workouts
    # Only what was refused for a limit is looked at again (a raised limit admits it).
    assert sorted(q.reason for q in again.quarantined) == ["archive_limit", "archive_limit"]


def test_known_members_are_not_decompressed_again(tmp_path: Path) -> None:
    """The members' compressed bytes are destroyed after the first run, their directory kept:
    a second run that inflated any of them again would find it broken and say so."""
    export = tmp_path / "inbox" / "ana" / "export.zip"
    made = plain_zip(export, [activity(0), activity(1)])
    db = tmp_path / "h.duckdb"
    first = ingest([tmp_path / "inbox"], db, CONFIG, OPTIONS)
    assert first.counts.files_new == 2 and not first.quarantined
    for src in (activity(0), activity(1)):
        rewrite_member_data(export, src.name)
    with zipfile.ZipFile(export) as archive, pytest.raises((zipfile.BadZipFile, zlib.error)):  # the bytes really are gone
        archive.read(activity(0).name)
    second = ingest([tmp_path / "inbox"], db, CONFIG, OPTIONS)
    assert (second.counts.files_new, second.counts.files_known, second.quarantined) == (0, 2, [])
    assert set(dict(_rows(db, "SELECT path, file_sha256 FROM fit_files"))) == set(made)


def test_a_changed_member_is_read_again(tmp_path: Path) -> None:
    """A new export under the same name with other bytes in a member: its CRC-32 differs."""
    export = tmp_path / "inbox" / "export.zip"
    plain_zip(export, [activity(0)])
    db = tmp_path / "h.duckdb"
    ingest([tmp_path / "inbox"], db, CONFIG, OPTIONS)
    with zipfile.ZipFile(export, "w") as archive:
        archive.write(activity(1), activity(0).name)  # same member name, other content
    again = ingest([tmp_path / "inbox"], db, CONFIG, OPTIONS)
    assert again.counts.files_new == 1
    assert {sha for (sha,) in _rows(db, "SELECT file_sha256 FROM fit_files")} == {sha256(activity(0)), sha256(activity(1))}


def test_nesting_deeper_than_the_limit_is_refused_with_its_reason(tmp_path: Path) -> None:
    inner = tmp_path / "inner.zip"
    plain_zip(inner, [activity(0)])
    export = tmp_path / "inbox" / "export.zip"
    plain_zip(export, [inner])
    found = discover_inbox([tmp_path / "inbox"], limits=ArchiveLimits(max_depth=1))
    (c,) = found.candidates
    assert c.path == f"{export}!inner.zip" and c.problem is not None
    assert (c.problem.reason, c.problem.detail) == ("archive_limit", "nested deeper than 1 archives ([archives] max_depth)")
    (ok,) = discover_inbox([tmp_path / "inbox"], limits=ArchiveLimits(max_depth=2)).candidates
    assert ok.path == f"{export}!inner.zip!{activity(0).name}" and ok.problem is None


BIG = 48 << 20


def test_hashing_and_ingesting_an_archive_holds_a_chunk_not_the_archive(tmp_path: Path) -> None:
    """Members far larger than the memory the run may use: reading any of them whole (or the
    archive) would show in the peak."""
    payload = os.urandom(BIG)
    expected = hashlib.sha256(payload).hexdigest()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "big.zip", "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("big.fit", payload)
    with gzip.open(inbox / "big.fit.gz", "wb", compresslevel=0) as packed:
        packed.write(payload)
    del payload
    tracemalloc.start()
    try:
        hashed = with_hashes(discover_inbox([inbox]).candidates)
        _, hash_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        report = ingest([inbox], tmp_path / "h.duckdb", HamflowConfig(), IngestOptions(settle_s=0.0, max_file_bytes=1 << 20))
        _, ingest_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [c.sha256 for c in hashed] == [expected, expected]
    assert [q.reason for q in report.quarantined] == ["too_large"]  # one content, once; the other path a duplicate
    assert hash_peak < BIG // 8, f"hashing held {hash_peak / 2**20:.1f} MB"
    assert ingest_peak < BIG // 4, f"ingesting held {ingest_peak / 2**20:.1f} MB"


def test_an_unpacked_export_given_as_the_folder_names_no_athlete_by_its_sub_folders(tmp_path: Path) -> None:
    strava_export(tmp_path / "export_123", [activity(0)])
    (garmin := tmp_path / "garmin" / "DI_CONNECT" / "DI-Connect-Uploaded-Files").mkdir(parents=True)
    plain_zip(garmin / "UploadedFiles_0-_Part1.zip", [activity(1)])
    for folder in ("export_123", "garmin"):
        (c,) = discover_inbox([tmp_path / folder]).candidates
        assert c.folder_athlete is None and c.sha256 is None
    inbox = tmp_path / "inbox"
    strava_export(inbox / "ana" / "export_123", [activity(0)])
    (c,) = discover_inbox([inbox]).candidates
    assert c.folder_athlete == "ana"  # inside an inbox, the athlete's folder still names it


_INGEST = """
import sys
from hamflow.ingest import IngestOptions, ingest
from hamflow.model import load_config
ingest(sys.argv[1:-1], sys.argv[-1], load_config(None), IngestOptions(settle_s=0))
print("stream_unzip" in sys.modules)
"""


def test_plain_files_and_a_whole_zip_never_load_the_walker_a_damaged_zip_needs(tmp_path: Path) -> None:
    """stream_unzip (and the cryptography it brings) takes about 0.2 s to import: only a zip
    whose directory cannot be read is walked with it."""
    whole = tmp_path / "whole.zip"
    plain_zip(whole, [activity(0)])
    cut = tmp_path / "cut.zip"
    plain_zip(cut, [activity(1), activity(2)])
    truncate_inside_last_member(cut)

    def loaded(*paths: Path) -> bool:
        said = subprocess.run([sys.executable, "-c", _INGEST, *map(str, paths), str(tmp_path / f"{len(paths)}.duckdb")],
                              capture_output=True, text=True, check=True, timeout=300, cwd=tmp_path)
        return said.stdout.split()[-1] == "True"

    assert not loaded(whole, activity(3))
    assert loaded(cut, whole, activity(3))
