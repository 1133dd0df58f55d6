"""Vega, Vega-Lite and vega-embed as one script, so that a page opens with no network.

vl-convert builds the bundle (about 0.9 MB) from its embedded sources on each process's first
call, which takes about 2 s: most of the time a small report takes. It builds the same text for
the same vl-convert release, so the first build is kept in the user's cache folder
(``$XDG_CACHE_HOME/hamflow``, else ``~/.cache/hamflow``), named by that release, and every
later report reads it back. The file carries its own checksum: a file cut short or changed is
built again, never used. A cache folder that cannot be written only costs the build.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import vl_convert

#: The distribution whose release names the cached file.
_DISTRIBUTION = "vl-convert-python"
#: The first line of a cached file: this prefix, then the SHA-256 of the rest.
_CHECKSUM = "// sha256="


def cache_dir() -> Path | None:
    """Where the bundle is kept: ``$XDG_CACHE_HOME/hamflow`` or ``~/.cache/hamflow`` (None:
    no home to put it in)."""
    root = os.environ.get("XDG_CACHE_HOME")
    if root:
        return Path(root) / "hamflow"
    try:
        return Path.home() / ".cache" / "hamflow"
    except RuntimeError:  # no HOME and no passwd entry
        return None


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """The script, from the cache when it holds this release's build."""
    path = _cached_path()
    if path is not None and (kept := _read(path)) is not None:
        return kept
    # The stub marks ``snippet`` required; the library defaults it to the snippet that sets globals.
    bundle: str = vl_convert.javascript_bundle()  # type: ignore[call-arg]
    if path is not None:
        _write(path, bundle)
    return bundle


def _cached_path() -> Path | None:
    """The cache file of the installed vl-convert release (None: no folder, or a vl-convert
    whose release cannot be read, whose build then cannot be told from another's)."""
    folder = cache_dir()
    try:
        release = version(_DISTRIBUTION)
    except PackageNotFoundError:
        return None
    return folder / f"vega-bundle-{release}.js" if folder is not None else None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read(path: Path) -> str | None:
    try:
        head, _, body = path.read_text(encoding="utf-8").partition("\n")
    except (OSError, UnicodeDecodeError):
        return None
    return body if head == _CHECKSUM + _digest(body) else None


def _write(path: Path, bundle: str) -> None:
    """Write ``path`` whole or not at all (a temporary file renamed over it), so that reports
    running at once each read a complete file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".partial")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(f"{_CHECKSUM}{_digest(bundle)}\n{bundle}")
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a read-only or full home: the report is still written, each time with a fresh build
