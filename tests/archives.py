"""Archives made at test time from real corpus files, as people download them.

A Strava bulk export (``activities/*.fit.gz`` beside ``.gpx``, ``.tcx`` and ``activities.csv``),
a Garmin Connect export (a zip holding zips of ``.fit`` files), and the damaged and hostile
archives an inbox must survive. Each builder returns what it put in: the member path hamflow
will show for each FIT file, and the corpus file whose bytes it holds.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import shutil
import zipfile
from pathlib import Path

from .corpus import corpus_root

#: Small real activities from the corpus (a run, rides, a trail run): quick to decode.
ACTIVITIES = (
    "elevate/20171011_run_2088390344.fit",
    "elevate/flagged-hr.fit",
    "elevate/spiros-02.fit",
    "elevate/mini-enduro.fit",
    "elevate/spiros-01.fit",
    "elevate/zwift-pschit.fit",
    "elevate/bloemendaal.fit",
)
#: Where a Garmin Connect export keeps the FIT files people uploaded.
GARMIN_PART = "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip"


def activity(n: int) -> Path:
    return corpus_root() / ACTIVITIES[n]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def strava_export(folder: Path, sources: list[Path]) -> dict[str, Path]:
    """``folder`` as Strava's bulk export unpacks: each FIT file gzipped under activities/."""
    activities = folder / "activities"
    activities.mkdir(parents=True)
    made = {}
    for i, src in enumerate(sources):
        target = activities / f"{1000 + i}.fit.gz"
        with open(src, "rb") as raw, gzip.open(target, "wb") as packed:
            shutil.copyfileobj(raw, packed)
        made[f"{target}!{1000 + i}.fit"] = src
    (activities / "2000.gpx").write_text("<gpx version='1.1'/>\n")
    (activities / "2001.tcx").write_text("<TrainingCenterDatabase/>\n")
    (activities / "2002.gpx.gz").write_bytes(gzip.compress(b"<gpx/>"))
    (folder / "activities.csv").write_text("Activity ID,Activity Name,Activity Type,Filename\n"
                                           "1000,Morning Run,Run,activities/1000.fit.gz\n")
    return made


def garmin_export(path: Path, sources: list[Path]) -> dict[str, Path]:
    """``path`` as Garmin Connect's data export: a zip holding a zip of the uploaded FIT files."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as part:
        for src in sources:
            part.write(src, src.name)
        part.writestr("notes.txt", "not a FIT file")
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as export:
        export.writestr("DI_CONNECT/DI-Connect-User/user_profile.json", "{}")
        export.writestr(GARMIN_PART, inner.getvalue())
    return {f"{path}!{GARMIN_PART}!{src.name}": src for src in sources}


def plain_zip(path: Path, sources: list[Path], compression: int = zipfile.ZIP_DEFLATED) -> dict[str, Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression) as archive:
        for src in sources:
            archive.write(src, src.name)
    return {f"{path}!{src.name}": src for src in sources}


def truncate_inside_last_member(path: Path) -> None:
    """Cut a zip inside its last member's data, as a download cut short: the directory is lost."""
    with zipfile.ZipFile(path) as archive:
        last = archive.infolist()[-1].header_offset
    path.write_bytes(path.read_bytes()[: last + 200])


def corrupt_gzip(path: Path, src: Path) -> None:
    """A gzip cut off half way, as a sync client that gave up leaves it."""
    packed = gzip.compress(src.read_bytes())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(packed[: len(packed) // 2])


def bomb_zip(path: Path, real: Path, expanded_mb: int = 64) -> dict[str, Path]:
    """A real FIT file beside a member of zeros that expands about a thousand times."""
    made = plain_zip(path, [real])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("zeros.fit", "w") as member:
        block = bytes(1 << 20)
        for _ in range(expanded_mb):
            member.write(block)
    return made


def rewrite_member_data(path: Path, name: str) -> None:
    """Replace the compressed bytes of ``name`` in place, keeping the zip's directory (its CRC-32
    and sizes): anything that inflates the member again finds it broken."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    data = bytearray(path.read_bytes())
    name_len, extra_len = int.from_bytes(data[info.header_offset + 26: info.header_offset + 28], "little"), \
        int.from_bytes(data[info.header_offset + 28: info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    data[start: start + info.compress_size] = bytes(info.compress_size)
    path.write_bytes(bytes(data))
