"""From the paths a user gives to the files a run must process.

Three cheap steps, none of which decodes anything:

1. *discover*: every FIT file under the paths, with the athlete its folder names (an inbox has
   one folder per athlete) and its size and mtime; FIT members of zip and ``.fit.gz`` archives
   (:mod:`.archives`) count as files of their own, and every other file is counted by extension
   so that nothing is passed over in silence;
2. *settle*: files still being written by a sync client (size or mtime changed over a short
   interval) are deferred to the next run;
3. *identify*: files whose path, size and mtime are in the path index are known without being
   read; the rest are hashed, and hashes already in ``fit_files`` are known too.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Final

import polars as pl

from ..model.config import ArchiveLimits
from ..store.path_entry import PathEntry
from .archives import ArchiveError, ArchiveReader, Member, Problem, extension, is_archive_name, list_archive, problem_sha256


def is_fit_name(path: Path) -> bool:
    """FIT files are named ``*.fit`` in any case (devices write ``.FIT``)."""
    return is_fit_file_name(path.name)


def is_fit_file_name(name: str) -> bool:
    """:func:`is_fit_name` of a bare file name (``.fit`` alone is a hidden file, not a FIT file),
    without building a path: discovery asks it of every file in the inbox."""
    return len(name) > 4 and name[-4:].lower() == ".fit"


@dataclass(slots=True)
class Candidate:
    """A FIT file found in the inbox. ``folder_athlete`` is the inbox sub-folder it sits in.

    Treated as immutable (changed copies are made with ``dataclasses.replace``) but not frozen:
    discovery makes one per file of the inbox, and a frozen dataclass takes several times as
    long to build, which a nightly inbox of years of files pays every night.
    """

    path: str
    size_bytes: int
    mtime_ns: int
    folder_athlete: str | None
    sha256: str | None = None
    error: str | None = None  # could not be read (reported and quarantined)
    #: Inside an archive: where, and the stamp that tells it is unchanged without reading it.
    member: Member | None = None
    #: A damaged or over-limit archive (or member), recorded as quarantined without reading it.
    problem: Problem | None = None

    @property
    def disk_path(self) -> str:
        """The file on disk that holds the candidate's bytes."""
        if self.member is not None:
            return self.member.archive
        if self.problem is not None:
            return self.problem.archive
        return self.path

    @property
    def disk_stat(self) -> tuple[int, int]:
        """(size, mtime_ns) of :attr:`disk_path` when the candidate was found."""
        if self.member is not None:
            return self.member.archive_size, self.member.archive_mtime_ns
        return self.size_bytes, self.mtime_ns

    def path_entry(self) -> PathEntry:
        """The path index's row for this candidate (its hash must be known)."""
        assert self.sha256 is not None, "only hashed candidates are remembered"
        crc = self.member.crc32 if self.member is not None else None
        return PathEntry(self.path, self.size_bytes, self.mtime_ns, self.sha256, crc)


def member_candidate(member: Member, athlete: str | None) -> Candidate:
    return Candidate(member.path, member.stamp_size, member.archive_mtime_ns, athlete, member=member)


def problem_candidate(problem: Problem, size: int, mtime_ns: int, athlete: str | None) -> Candidate:
    return Candidate(problem.path, size, mtime_ns, athlete, problem=problem)


@dataclass
class Listing:
    """The FIT files a walk of the inbox's folders found, as columns: path, size, mtime, athlete.

    A nightly inbox holds years of files the database knows by path, size and mtime, and only
    the few it does not know need a :class:`Candidate`: making one for each listed file, then
    reading it back for the path index's frame, cost more than the listing's one system call.
    """

    paths: list[str] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    mtimes: list[int] = field(default_factory=list)
    athletes: list[str | None] = field(default_factory=list)

    def candidate(self, i: int) -> Candidate:
        return Candidate(self.paths[i], self.sizes[i], self.mtimes[i], self.athletes[i])


@dataclass
class Discovery:
    """What :func:`discover_inbox` found: FIT files (and damaged archives) to process, and the
    files that are not FIT, counted by extension (``.gpx``, ``.tcx``, ``.csv``, ...).

    The files found by walking folders are kept as columns (``listed``); ``others`` are the rest
    (files named on the command line, archive members, damaged archives, files that could not be
    looked at). Their positions in :meth:`listing_frame` are the positions :meth:`readable_at`
    takes."""

    listed: Listing
    others: list[Candidate]
    not_fit: dict[str, int] = field(default_factory=dict)

    @property
    def not_fit_total(self) -> int:
        return sum(self.not_fit.values())

    @property
    def count(self) -> int:
        """Every file found, readable or not."""
        return len(self.listed.paths) + len(self.others)

    @property
    def candidates(self) -> list[Candidate]:
        """Every file found, one :class:`Candidate` each, sorted by path."""
        found = [self.listed.candidate(i) for i in range(len(self.listed.paths))] + self.others
        return sorted(found, key=_path)

    @property
    def unreadable(self) -> list[Candidate]:
        """The files that could not be looked at (reported, and retried by the next run), by path."""
        return sorted((c for c in self.others if c.error), key=_path)

    @cached_property
    def _readable_others(self) -> list[Candidate]:
        """The readable ``others``, in the order :meth:`listing_frame` numbers them after the listed files."""
        return [c for c in self.others if not c.error]

    def listing_frame(self) -> pl.DataFrame:
        """The readable files as one frame for the path index's anti-join
        (:func:`~hamflow.store.paths.unknown_by_path`): row number, path, size, mtime, and an
        archive member's CRC-32 (a new download of the same export keeps size and CRC-32, so its
        known members are not decompressed again). The listed files first, then the others."""
        others = self._readable_others
        listed = self.listed
        return pl.DataFrame(
            {
                "i": range(len(listed.paths) + len(others)),
                "path": listed.paths + [c.path for c in others],
                "size_bytes": listed.sizes + [c.size_bytes for c in others],
                "mtime_ns": listed.mtimes + [c.mtime_ns for c in others],
                "crc32": [None] * len(listed.paths) + [c.member.crc32 if c.member is not None else None for c in others],
            },
            schema=LISTING_SCHEMA,
        )

    def readable_at(self, positions: AbstractSet[int]) -> list[Candidate]:
        """The readable files at ``positions`` of :meth:`listing_frame`, sorted by path."""
        n = len(self.listed.paths)
        others = self._readable_others
        return sorted((self.listed.candidate(i) if i < n else others[i - n] for i in positions), key=_path)

    @property
    def readable_count(self) -> int:
        return len(self.listed.paths) + len(self._readable_others)


def _path(c: Candidate) -> str:
    return c.path


def not_fit_text(not_fit: Mapping[str, int]) -> str:
    """``.gpx 3, .tcx 2``: the files that are not FIT, by extension, most first."""
    return ", ".join(f"{ext} {n}" for ext, n in sorted(not_fit.items(), key=lambda kv: (-kv[1], kv[0])))


class InboxError(Exception):
    """The run cannot do its job: a path is missing or is not a folder or FIT file."""


def _stat(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def discover(paths: Iterable[str | os.PathLike[str]], *, max_depth: int = 8,
             limits: ArchiveLimits | None = None) -> list[Candidate]:
    """The candidates of :func:`discover_inbox`."""
    return discover_inbox(paths, max_depth=max_depth, limits=limits).candidates


def discover_inbox(paths: Iterable[str | os.PathLike[str]], *, max_depth: int = 8,
                   limits: ArchiveLimits | None = None) -> Discovery:
    """Every FIT file under ``paths``, sorted by path, and the count of other files by extension.

    A directory is an inbox: a file at ``inbox/<athlete>/...`` belongs to ``<athlete>``, and so
    does every member of an archive there; an unpacked export given as the directory
    (:func:`is_export_folder`) is one athlete's, named by ``--athlete`` or the device. Symbolic links that lead outside the inbox are not
    followed (a shared folder must not expose the rest of the disk). Raises :class:`InboxError`
    for a path that does not exist.
    """
    limits = limits or ArchiveLimits()
    listed = Listing()
    at: dict[str, int] = {}  # position of each listed path: a folder given twice, or inside another, lists it once
    dropped: set[int] = set()  # listed, then found again as another kind of candidate
    others: dict[str, Candidate] = {}
    not_fit: Counter[str] = Counter()

    def add_other(c: Candidate) -> None:
        if c.path in at:
            dropped.add(at.pop(c.path))
        others[c.path] = c

    def add_given(path: Path) -> None:
        """A file named on the command line is read whatever its name (it may be an archive)."""
        if is_archive_name(path.name):
            _add_archive(path, None, limits, add_other, not_fit)
            return
        try:
            size, mtime = _stat(path)
        except OSError as exc:
            add_other(Candidate(str(path), 0, 0, None, error=str(exc)))
            return
        add_other(Candidate(str(path), size, mtime, None))

    paths_, sizes, mtimes, athletes = listed.paths, listed.sizes, listed.mtimes, listed.athletes
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            raise InboxError(f"no such file or directory: {root}")
        if root.is_file():
            add_given(root)
            continue
        if not root.is_dir():
            raise InboxError(f"not a file or folder: {root}")
        export = is_export_folder(root)
        for files, athlete in _walk(root, max_depth, export):
            for entry in files:
                name = entry.name
                if is_fit_file_name(name):
                    try:
                        st = entry.stat()  # the one system call a listed file costs
                    except OSError as exc:
                        add_other(Candidate(entry.path, 0, 0, athlete, error=str(exc)))
                        continue
                    path = entry.path
                    others.pop(path, None)
                    if path in at:
                        i = at[path]
                        sizes[i], mtimes[i], athletes[i] = st.st_size, st.st_mtime_ns, athlete
                        continue
                    at[path] = len(paths_)
                    paths_.append(path)
                    sizes.append(st.st_size)
                    mtimes.append(st.st_mtime_ns)
                    athletes.append(athlete)
                elif is_archive_name(name):
                    _add_archive(Path(entry.path), athlete, limits, add_other, not_fit)
                else:
                    not_fit[extension(name)] += 1
    if dropped:
        keep = [i for i in range(len(paths_)) if i not in dropped]
        listed = Listing([paths_[i] for i in keep], [sizes[i] for i in keep], [mtimes[i] for i in keep],
                         [athletes[i] for i in keep])
    return Discovery(listed, list(others.values()), dict(sorted(not_fit.items())))


def _walk(root: Path, max_depth: int, export: bool) -> Iterator[tuple[list[os.DirEntry[str]], str | None]]:
    """The regular files under ``root``, a folder at a time, with the athlete its first folder names.

    One ``os.scandir`` per folder: the listing already says what each entry is, so a nightly
    inbox of years of files costs one system call per file (the stat), not four. Hidden folders,
    folders deeper than ``max_depth`` and symbolic links to folders are not entered; a symbolic
    link to a file outside ``root`` is skipped. A folder that cannot be listed is passed over,
    as ``os.walk`` does.
    """
    real_root = root.resolve()
    stack: list[tuple[str, int, str | None]] = [(str(root), 0, None)]
    while stack:  # in no particular order: the caller sorts what it found
        folder, depth, athlete = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:
            continue
        files = []
        for entry in entries:
            try:
                if entry.is_file():
                    if not entry.is_symlink() or _inside(Path(entry.path), real_root):
                        files.append(entry)
                elif entry.is_dir() and depth < max_depth and not entry.name.startswith(".") and not entry.is_symlink():
                    stack.append((entry.path, depth + 1, athlete if depth else (None if export else entry.name)))
            except OSError:
                continue
        yield files, athlete


def is_export_folder(folder: Path) -> bool:
    """Whether ``folder`` is an unpacked Garmin Connect or Strava export rather than an inbox: its
    sub-folders (``DI_CONNECT``, ``activities``) then name no athletes."""
    garmin = (folder / "DI_CONNECT").is_dir()
    strava = (folder / "activities").is_dir() and (folder / "activities.csv").is_file()
    return garmin or strava


def _add_archive(path: Path, athlete: str | None, limits: ArchiveLimits, add: Callable[[Candidate], None],
                 not_fit: Counter[str]) -> None:
    try:
        size, mtime = _stat(path)
    except OSError as exc:
        add(Candidate(str(path), 0, 0, athlete, error=str(exc)))
        return
    listing = list_archive(str(path), limits)
    for member in listing.members:
        add(member_candidate(member, athlete))
    for problem in listing.problems:
        add(problem_candidate(problem, size, mtime, athlete))
    not_fit.update(listing.other)


def fit_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The plain FIT files of :func:`discover` (not archive members), for commands that read
    files from disk without a database."""
    return [Path(c.path) for c in discover(paths) if c.member is None and c.problem is None]


def split_unsettled(candidates: Sequence[Candidate], settle_s: float) -> tuple[list[Candidate], list[Candidate]]:
    """(settled, deferred): a file whose size or mtime changes within ``settle_s`` is deferred.

    One wait for all files, not one per file. ``settle_s <= 0`` skips the check.
    """
    if settle_s <= 0 or not candidates:
        return list(candidates), []
    time.sleep(settle_s)
    settled: list[Candidate] = []
    deferred: list[Candidate] = []
    for c in candidates:
        try:
            size, mtime = _stat(Path(c.disk_path))
        except OSError:
            deferred.append(c)  # vanished or unreadable mid-run: look again next time
            continue
        (settled if (size, mtime) == c.disk_stat else deferred).append(c)
    return settled, deferred


def sha256_of(path: str, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


#: The columns of :meth:`Discovery.listing_frame`.
LISTING_SCHEMA: Final = {"i": pl.Int64, "path": pl.Utf8, "size_bytes": pl.Int64, "mtime_ns": pl.Int64, "crc32": pl.Int64}


def with_hashes(candidates: Sequence[Candidate], limits: ArchiveLimits | None = None) -> list[Candidate]:
    """Hash each candidate: a file's bytes, an archive member's uncompressed bytes (streamed, each
    archive opened once). An unreadable file keeps ``sha256=None`` and gets ``error``; a member
    that cannot be read becomes a :attr:`Candidate.problem`."""
    hashed: dict[int, Candidate] = {}
    order = sorted(range(len(candidates)), key=lambda i: _reading_order(candidates[i]))
    with ArchiveReader(limits or ArchiveLimits()) as reader:
        for i in order:
            hashed[i] = _hashed(candidates[i], reader)
    return [hashed[i] for i in range(len(candidates))]


def _reading_order(c: Candidate) -> tuple[str, tuple[int, ...], str]:
    return (c.disk_path, c.member.position if c.member is not None else (), c.path)


def _hashed(c: Candidate, reader: ArchiveReader) -> Candidate:
    if c.error:
        return c
    try:
        if c.problem is not None:
            return replace(c, sha256=problem_sha256(c.problem.archive, c.problem.chain))
        if c.member is not None:
            try:
                return replace(c, sha256=reader.sha256(c.member))
            except ArchiveError as exc:
                problem = Problem(c.member.archive, c.member.chain, exc.reason, exc.detail)
                return replace(c, problem=problem, sha256=problem_sha256(problem.archive, problem.chain))
        return replace(c, sha256=sha256_of(c.path))
    except OSError as exc:
        return replace(c, error=exc.strerror or str(exc))
