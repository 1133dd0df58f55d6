"""Finding the work of a run without decoding anything."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hamflow.ingest import IngestOptions, ingest
from hamflow.ingest.files import InboxError, discover, discover_inbox, sha256_of, split_unsettled, with_hashes
from hamflow.model.config_load import load_config
from hamflow.store.connection import connection
from hamflow.store.paths import unknown_by_path


def touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_inbox_folders_name_athletes(tmp_path: Path) -> None:
    touch(tmp_path / "ana" / "a.fit")
    touch(tmp_path / "ana" / "2026" / "b.FIT")
    touch(tmp_path / "ben" / "c.fit")
    touch(tmp_path / "loose.fit")
    touch(tmp_path / "ana" / "notes.txt")
    found = {Path(c.path).name: c.folder_athlete for c in discover([tmp_path])}
    assert found == {"a.fit": "ana", "b.FIT": "ana", "c.fit": "ben", "loose.fit": None}


def test_sorted_and_deduplicated(tmp_path: Path) -> None:
    for name in ("z.fit", "a.fit", "m.fit"):
        touch(tmp_path / "ana" / name)
    paths = [c.path for c in discover([tmp_path, tmp_path / "ana" / "a.fit"])]
    assert paths == sorted(set(paths)) and len(paths) == 3


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InboxError, match="no such file"):
        discover([tmp_path / "nope"])


def test_symlink_leaving_the_inbox_is_not_followed(tmp_path: Path) -> None:
    outside = touch(tmp_path / "secret" / "x.fit")
    inbox = tmp_path / "inbox"
    touch(inbox / "ana" / "ok.fit")
    (inbox / "ana" / "link.fit").symlink_to(outside)
    (inbox / "ben").symlink_to(outside.parent, target_is_directory=True)
    names = sorted(Path(c.path).name for c in discover([inbox]))
    assert names == ["ok.fit"]


def test_a_file_that_changes_between_the_two_looks_is_deferred(tmp_path: Path) -> None:
    """What a sync client does to a file it is still copying, done between the discovery's look
    and the settle check's: no writer thread racing the check, whatever the machine's load."""
    steady = touch(tmp_path / "ana" / "steady.fit", b"a" * 100)
    growing = touch(tmp_path / "ana" / "growing.fit", b"b" * 100)
    rewritten = touch(tmp_path / "ana" / "rewritten.fit", b"c" * 100)
    vanishing = touch(tmp_path / "ana" / "vanishing.fit", b"d" * 100)
    candidates = discover([tmp_path])
    with open(growing, "ab") as handle:
        handle.write(b"more")  # grew
    st = rewritten.stat()
    os.utime(rewritten, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # same size, new mtime
    vanishing.unlink()  # moved away by the client
    settled, deferred = split_unsettled(candidates, 0.01)
    assert [Path(c.path) for c in settled] == [steady]
    assert sorted(Path(c.path) for c in deferred) == sorted([growing, rewritten, vanishing])


def test_no_settle_time_skips_the_check(tmp_path: Path) -> None:
    growing = touch(tmp_path / "ana" / "growing.fit", b"b" * 100)
    candidates = discover([tmp_path])
    with open(growing, "ab") as handle:
        handle.write(b"more")
    assert split_unsettled(candidates, 0) == (candidates, [])


def test_path_index_skips_unchanged_files(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    touch(inbox / "ana" / "same.fit", b"same")
    changed = touch(inbox / "ana" / "changed.fit", b"old")
    db = tmp_path / "h.duckdb"
    ingest([str(inbox)], db, load_config(None), IngestOptions(settle_s=0))  # both quarantined: known
    touch(changed, b"new bytes")
    os.utime(changed, ns=(1, 1))
    found = discover_inbox([inbox])
    with connection(db, read_only=True) as con:
        unknown = found.readable_at(unknown_by_path(con, found.listing_frame()))
    assert [Path(c.path) for c in unknown] == [changed]
    assert found.readable_count - len(unknown) == 1  # same.fit: known as listed, no candidate made for it


def test_a_file_found_twice_is_listed_once_as_found_last(tmp_path: Path) -> None:
    """A folder given twice or inside another, and a file named on its own too: one candidate
    each, as the last path given finds it, whether listed by a walk or named."""
    inbox = tmp_path / "inbox"
    a = touch(inbox / "ana" / "a.fit")
    b = touch(inbox / "ana" / "b.fit")
    walked_last = discover_inbox([inbox / "ana" / "a.fit", inbox, inbox])
    assert [(Path(c.path), c.folder_athlete) for c in walked_last.candidates] == [(a, "ana"), (b, "ana")]
    named_last = discover_inbox([inbox, inbox / "ana", inbox / "ana" / "a.fit"])
    assert [(Path(c.path), c.folder_athlete) for c in named_last.candidates] == [(a, None), (b, None)]
    assert named_last.count == named_last.readable_count == 2
    frame = named_last.listing_frame()
    assert sorted(frame.get_column("path").to_list()) == [str(a), str(b)]
    assert [Path(c.path) for c in named_last.readable_at(set(frame.get_column("i").to_list()))] == [a, b]


def test_discovery_lists_what_a_walk_of_the_inbox_finds(tmp_path: Path) -> None:
    """Hidden folders and folders deeper than the limit are not entered, a link to a file
    outside the inbox is not followed, and every other file is found once, in path order."""
    outside = touch(tmp_path / "elsewhere" / "secret.fit")
    inbox = tmp_path / "inbox"
    for rel in ("ana/a.fit", "ana/2026/03/b.fit", "ben/c.FIT", "ana/.sync/d.fit", "ana/1/2/3/deep.fit", "loose.fit"):
        touch(inbox / rel)
    touch(inbox / "ana" / "notes.txt")
    (inbox / "ana" / "link.fit").symlink_to(outside)
    (inbox / "ben" / "inside.fit").symlink_to(inbox / "ana" / "a.fit")
    found = discover([inbox], max_depth=3)
    rel = [(str(Path(c.path).relative_to(inbox)), c.folder_athlete) for c in found]
    assert rel == [("ana/2026/03/b.fit", "ana"), ("ana/a.fit", "ana"), ("ben/c.FIT", "ben"),
                   ("ben/inside.fit", "ben"), ("loose.fit", None)]


def test_hashes_and_unreadable_files(tmp_path: Path) -> None:
    good = touch(tmp_path / "ana" / "good.fit", b"content")
    gone = touch(tmp_path / "ana" / "gone.fit", b"synced, then removed")
    candidates = discover([tmp_path])
    gone.unlink()  # removed by a sync client between discovery and hashing
    hashed = {Path(c.path).name: c for c in with_hashes(candidates)}
    assert hashed["good.fit"].sha256 == sha256_of(str(good))
    assert hashed["good.fit"].error is None
    assert hashed["gone.fit"].sha256 is None and "No such file" in (hashed["gone.fit"].error or "")
