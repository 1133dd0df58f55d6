"""FIT files inside zip and gzip archives, read in place: listed, streamed, never extracted.

A Garmin Connect export is a zip of zips of ``.fit`` files, a Strava export a folder (or zip) of
``.fit.gz`` files. Each FIT member is a file of its own, named ``archive!member``: the archive's
path on disk, then each member name from the outermost archive inwards, joined by ``!``
(``export.zip!DI_CONNECT/.../Part1.zip!a.fit``; a gzip's one member is its name without
``.gz``: ``x.fit.gz!x.fit``). Whoever has that name and the limits can read the member again
(a worker process, a Dask worker on shared storage): nothing is copied to disk or held in memory
beyond one member.

Listing a zip reads only its directory. The directory's CRC-32 and size of each member is its
stamp: a member whose path and stamp are in the path index is known without decompressing it.
A zip whose directory is unreadable (truncated, corrupt) is walked from its start instead, and
the members that are whole before the break are kept.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import struct
import sys
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import IO, Final

from ..model.config import ArchiveLimits

SEP: Final = "!"
#: Why an archive, or a member of it, could not be read (``fit_files.reason``).
BAD_ARCHIVE: Final = "bad_archive"
OVER_LIMIT: Final = "archive_limit"
CHUNK: Final = 1 << 20


class ArchiveError(Exception):
    """An archive or member cannot be read: ``reason`` is :data:`BAD_ARCHIVE` or :data:`OVER_LIMIT`."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def is_zip_name(name: str) -> bool:
    return name.lower().endswith(".zip")


def is_fit_gz_name(name: str) -> bool:
    return name.lower().endswith(".fit.gz")


def is_archive_name(name: str) -> bool:
    """The archives hamflow opens: zips, and gzips of FIT files (``.gpx.gz`` is not FIT)."""
    return is_zip_name(name) or is_fit_gz_name(name)


def extension(name: str) -> str:
    """How a file that is not FIT is counted: its last suffix, or two for a compressed one
    (``.gpx.gz``), in lower case; ``(none)`` without one."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    parts = base.split(".")[1:] if not base.startswith(".") else base[1:].split(".")[1:]
    if not parts:
        return "(none)"
    if parts[-1] in ("gz", "bz2", "xz") and len(parts) > 1:
        return f".{parts[-2]}.{parts[-1]}"
    return f".{parts[-1]}"


@dataclass(frozen=True, slots=True)
class Member:
    """Where a FIT file lives inside an archive on disk, and the stamp that says it is unchanged."""

    archive: str  # the archive file on disk
    chain: tuple[str, ...]  # member names from the outermost archive inwards; the last is the FIT file
    archive_size: int
    archive_mtime_ns: int
    #: CRC-32 and size of the innermost directory entry holding the member (a gzip's trailer for
    #: a ``.fit.gz`` on disk): equal stamps under one path mean equal bytes, read or not.
    crc32: int | None
    stamp_size: int
    #: Order of each name in its archive's byte layout: reading in this order never seeks back.
    position: tuple[int, ...] = ()

    @property
    def path(self) -> str:
        return SEP.join((self.archive, *self.chain))


@dataclass(frozen=True, slots=True)
class Problem:
    """An archive (or a member of one) that could not be read, found while listing."""

    archive: str
    chain: tuple[str, ...]  # () for the archive on disk itself
    reason: str
    detail: str

    @property
    def path(self) -> str:
        return SEP.join((self.archive, *self.chain))


@dataclass
class Listing:
    """What an archive holds: its FIT members, what else (counted by extension), what broke."""

    members: list[Member] = field(default_factory=list)
    other: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)


class _Budget:
    """The limits of one archive on disk, spent over it and every archive nested in it."""

    def __init__(self, limits: ArchiveLimits) -> None:
        self.limits = limits
        self.members = 0
        self.total = 0

    def check_total(self, total: int) -> None:
        if total > self.limits.max_total_bytes:
            raise ArchiveError(OVER_LIMIT, f"more than {self.limits.max_total_mb:g} MB uncompressed ([archives] max_total_mb)")

    def spend(self, size: int) -> None:
        """Count one member of ``size`` uncompressed bytes against the archive's limits."""
        self.members += 1
        self.total += size
        if self.members > self.limits.max_members:
            raise ArchiveError(OVER_LIMIT, f"more than {self.limits.max_members} members ([archives] max_members)")
        self.check_total(self.total)

    def over_ratio(self, size: int, compressed: int) -> str | None:
        """Why a member of these sizes is refused, or None."""
        if size > self.limits.max_ratio * max(compressed, 1):
            return f"expands {size / max(compressed, 1):.0f} times (over [archives] max_ratio = {self.limits.max_ratio:g})"
        return None


def _broken(exc: BaseException) -> ArchiveError:
    text = str(exc) or type(exc).__name__
    return ArchiveError(BAD_ARCHIVE, f"damaged or truncated archive ({text})")


def _too_deep(limits: ArchiveLimits) -> str:
    return f"nested deeper than {limits.max_depth} archives ([archives] max_depth)"


#: What a damaged zip or gzip raises while it is read (:func:`_damage` adds stream_unzip's error).
_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, gzip.BadGzipFile, OSError, ValueError, NotImplementedError,
           RuntimeError, struct.error)


def _damage() -> tuple[type[BaseException], ...]:
    """:data:`_DAMAGE`, with stream_unzip's error once stream_unzip is loaded. It is imported
    only to walk a zip whose directory cannot be read (:func:`_walk`): loading it (and the
    cryptography it brings) costs every command about 0.1 CPU s, and until then nothing raises it."""
    unzip = sys.modules.get("stream_unzip")
    return _DAMAGE if unzip is None else (*_DAMAGE, unzip.UnzipError)


def _walk(handle: IO[bytes]) -> Iterator[tuple[bytes, int | None, Iterator[bytes]]]:
    """A zip's members from its start, as stream_unzip finds them (name, size, chunks)."""
    import stream_unzip

    return stream_unzip.stream_unzip(_chunks(handle))


def gzip_trailer(path: str) -> tuple[int, int]:
    """(CRC-32, size mod 2**32) from a gzip file's last eight bytes: its stamp, without inflating it."""
    with open(path, "rb") as handle:
        head = handle.read(2)
        handle.seek(0, os.SEEK_END)
        if head != b"\x1f\x8b" or handle.tell() < 18:
            raise ArchiveError(BAD_ARCHIVE, "not a gzip file")
        handle.seek(-8, os.SEEK_END)
        crc, size = struct.unpack("<II", handle.read(8))
    return crc, size


def list_archive(path: str, limits: ArchiveLimits) -> Listing:
    """The FIT members of the archive at ``path`` (a zip or a ``.fit.gz``), without decompressing
    them. Never raises for a bad archive: it comes back in :attr:`Listing.problems`."""
    st = os.stat(path)
    listing = Listing()
    budget = _Budget(limits)
    if is_fit_gz_name(path):
        try:
            crc, size = gzip_trailer(path)
        except ArchiveError as exc:
            listing.problems.append(Problem(path, (), exc.reason, exc.detail))
            return listing
        except OSError as exc:
            listing.problems.append(Problem(path, (), BAD_ARCHIVE, f"cannot read it: {exc.strerror or exc}"))
            return listing
        name = os.path.basename(path)[:-3]
        listing.members.append(Member(path, (name,), st.st_size, st.st_mtime_ns, crc, size, (0,)))
        return listing
    with ExitStack() as stack:
        try:
            handle = stack.enter_context(open(path, "rb"))
        except OSError as exc:
            listing.problems.append(Problem(path, (), BAD_ARCHIVE, f"cannot read it: {exc.strerror or exc}"))
            return listing
        _list_zip(handle, path, (), (), 1, st, budget, listing)
    return listing


def _list_zip(handle: IO[bytes], archive: str, chain: tuple[str, ...], position: tuple[int, ...], depth: int,
              st: os.stat_result, budget: _Budget, listing: Listing) -> None:
    if depth > budget.limits.max_depth:
        listing.problems.append(Problem(archive, chain, OVER_LIMIT, _too_deep(budget.limits)))
        return
    try:
        zf = zipfile.ZipFile(handle)
    except _damage() as exc:
        _salvage_listing(handle, archive, chain, position, st, budget, listing, _broken(exc))
        return
    with zf:
        infos = sorted((i for i in zf.infolist() if not i.is_dir()), key=lambda i: i.header_offset)
        try:
            for info in infos:
                budget.spend(info.file_size)
        except ArchiveError as exc:  # the whole archive is refused before anything is inflated
            listing.problems.append(Problem(archive, chain, exc.reason, exc.detail))
            return
        for n, info in enumerate(infos):
            name = info.filename
            here = (*chain, name)
            if not (is_archive_name(name) or name.lower().endswith(".fit")):
                listing.other[extension(name)] += 1
                continue
            refused = budget.over_ratio(info.file_size, info.compress_size)
            if refused is None and is_fit_gz_name(name) and depth + 1 > budget.limits.max_depth:
                refused = _too_deep(budget.limits)
            if refused is not None:
                listing.problems.append(Problem(archive, here, OVER_LIMIT, refused))
            elif is_zip_name(name):
                try:
                    with zf.open(info) as inner:
                        _list_zip(inner, archive, here, (*position, n), depth + 1, st, budget, listing)
                except _damage() as exc:
                    listing.problems.append(Problem(archive, here, BAD_ARCHIVE, _broken(exc).detail))
            else:
                # A .fit.gz's one member is its own name without .gz; its stamp is the gzip's entry.
                inner_chain = (name.replace("\\", "/").rsplit("/", 1)[-1][:-3],) if is_fit_gz_name(name) else ()
                listing.members.append(Member(archive, (*here, *inner_chain), st.st_size, st.st_mtime_ns, info.CRC,
                                              info.file_size, (*position, n, *(0 for _ in inner_chain))))


def _salvage_listing(handle: IO[bytes], archive: str, chain: tuple[str, ...], position: tuple[int, ...],
                     st: os.stat_result, budget: _Budget, listing: Listing, damage: ArchiveError) -> None:
    """A zip without a readable directory: walk it from the start and keep each FIT member that
    is whole before the break (nested archives inside it are counted, not opened)."""
    handle.seek(0)
    n = 0  # members walked, in their order
    kept = 0
    try:
        for raw_name, _, chunks in _walk(handle):
            name = raw_name.decode("utf-8", "replace")
            crc, size = 0, 0
            for chunk in chunks:
                crc = zlib.crc32(chunk, crc)
                size += len(chunk)
                budget.check_total(budget.total + size)  # before a bomb has expanded far
            budget.spend(size)
            if name.endswith("/"):
                continue
            if name.lower().endswith(".fit"):
                listing.members.append(Member(archive, (*chain, name), st.st_size, st.st_mtime_ns, crc, size, (*position, n)))
                kept += 1
            else:
                listing.other[extension(name)] += 1
            n += 1
    except ArchiveError as exc:
        listing.problems.append(Problem(archive, chain, exc.reason, exc.detail))
        return
    except _damage():
        pass
    words = f"; the {kept} FIT file(s) before the break are kept" if kept else ""
    listing.problems.append(Problem(archive, chain, BAD_ARCHIVE, damage.detail + words))


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    while block := handle.read(CHUNK):
        yield block


class _Capped(io.RawIOBase):
    """A stream that refuses to yield more than ``cap`` bytes (a gzip declares no size it keeps to)."""

    def __init__(self, inner: gzip.GzipFile, cap: int, reason: str, why: str, *,
                 closes: tuple[io.IOBase | IO[bytes], ...]) -> None:
        super().__init__()
        self._inner = inner
        self._closes = closes
        self._left = cap
        self._reason = reason
        self._why = why

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        if len(data) > self._left:
            raise ArchiveError(self._reason, self._why)
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        for handle in self._closes:
            handle.close()
        super().close()


class ArchiveReader:
    """Opens members of archives, keeping each zip it opened open for the next member.

    Use as a context manager; read members of one archive in :attr:`Member.position` order and no
    byte is decompressed twice (a zip inside a zip seeks back by inflating again from its start).
    """

    def __init__(self, limits: ArchiveLimits) -> None:
        self.limits = limits
        self._stack = ExitStack()
        self._zips: dict[tuple[str, ...], zipfile.ZipFile] = {}
        self._current: str | None = None

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self._zips.clear()
        self._stack.close()

    def _zip(self, names: tuple[str, ...]) -> zipfile.ZipFile:
        found = self._zips.get(names)
        if found is not None:
            return found
        if names[0] != self._current:  # one archive on disk open at a time: members come grouped
            self.__exit__()
            self._stack = ExitStack()
            self._current = names[0]
        if len(names) == 1:
            handle: IO[bytes] = self._stack.enter_context(open(names[0], "rb"))  # noqa: SIM115 - closed with the reader
        else:
            handle = self._stack.enter_context(self._zip(names[:-1]).open(names[-1]))
        zf = self._stack.enter_context(zipfile.ZipFile(handle))
        self._zips[names] = zf
        return zf

    def _raw(self, names: tuple[str, ...]) -> IO[bytes]:
        """The bytes of ``names[-1]``, as its container holds them (still compressed if a gzip)."""
        if len(names) == 1:
            return open(names[0], "rb")
        container = names[:-1]
        if is_fit_gz_name(container[-1]):
            return self._gunzip(container)
        try:
            zf = self._zip(container)
        except _damage():  # no readable directory: walk the zip as discovery did
            return io.BytesIO(self._salvaged(container, names[-1]))
        return zf.open(names[-1])

    def _gunzip(self, names: tuple[str, ...]) -> IO[bytes]:
        compressed = os.stat(names[0]).st_size if len(names) == 1 else self._zip(names[:-1]).getinfo(names[-1]).file_size
        ratio_cap = int(self.limits.max_ratio * max(compressed, 1))
        cap = min(ratio_cap, self.limits.max_total_bytes)
        why = f"expands more than {self.limits.max_ratio:g} times (over [archives] max_ratio)" if cap == ratio_cap else \
            f"more than {self.limits.max_total_mb:g} MB uncompressed ([archives] max_total_mb)"
        raw = self._raw(names)
        unzipped = gzip.GzipFile(fileobj=raw, mode="rb")
        return io.BufferedReader(_Capped(unzipped, cap, OVER_LIMIT, why, closes=(unzipped, raw)), CHUNK)

    def _salvaged(self, container: tuple[str, ...], name: str) -> bytes:
        """A member of a zip without a readable directory, found by walking it from its start."""
        with self._raw(container) as handle:
            for raw_name, _, chunks in _walk(handle):
                if raw_name.decode("utf-8", "replace") == name:
                    return b"".join(chunks)
                for _ in chunks:
                    pass
        raise ArchiveError(BAD_ARCHIVE, "no longer in the archive")

    def open(self, member: Member) -> IO[bytes]:
        """A stream of the member's uncompressed bytes; :class:`ArchiveError` if it cannot be read."""
        try:
            return self._raw((member.archive, *member.chain))
        except ArchiveError:
            raise
        except KeyError as exc:
            raise ArchiveError(BAD_ARCHIVE, "no longer in the archive") from exc
        except _damage() as exc:
            raise _broken(exc) from exc

    def sha256(self, member: Member) -> str:
        """The SHA-256 of the member's uncompressed bytes, streamed."""
        digest = hashlib.sha256()
        try:
            with self.open(member) as stream:
                while block := stream.read(CHUNK):
                    digest.update(block)
        except ArchiveError:
            raise
        except _damage() as exc:
            raise _broken(exc) from exc
        return digest.hexdigest()

    def read(self, member: Member, max_bytes: int) -> bytes | None:
        """The member's bytes, or None when there are more than ``max_bytes``."""
        try:
            with self.open(member) as stream:
                data = stream.read(max_bytes + 1)
        except ArchiveError:
            raise
        except _damage() as exc:
            raise _broken(exc) from exc
        return None if len(data) > max_bytes else data


def problem_sha256(problem_archive: str, chain: tuple[str, ...]) -> str:
    """The key of a damaged archive or member in ``fit_files``: the SHA-256 of the archive file on
    disk, and for something inside it, the SHA-256 of that hash and the inner path. So the record
    is not repeated while the archive is unchanged, and a new download is looked at afresh."""
    digest = hashlib.sha256()
    with open(problem_archive, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    if not chain:
        return digest.hexdigest()
    return hashlib.sha256(f"{digest.hexdigest()}{SEP}{SEP.join(chain)}".encode()).hexdigest()
