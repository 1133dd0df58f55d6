"""The seed files the fuzz tests mutate: small real files, and crops of the larger ones.

Decoding cost grows with size, so a seed is at most :data:`MAX_SEED_BYTES`: a larger file (a
long ride, a file with developer fields or buffered heart rate) contributes its first messages
as a complete, valid file (header size and checksums rewritten), which keeps what makes it
interesting to a decoder (its definitions come first) at a fraction of the cost.
"""

from __future__ import annotations

from pathlib import Path

from ..corpus import corpus_root
from ..fitbytes import small_activity
from ..helpers import SAMPLES
from .fitfuzz import crop, walk

MAX_SEED_BYTES = 10_000


def _fit_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix.lower() == ".fit" and p.is_file())


def _small(data: bytes) -> bytes | None:
    if len(data) <= MAX_SEED_BYTES:
        return data
    # Only the first messages are kept: walking megabytes of a long ride would cost seconds.
    # A message that runs past the prefix ends the walk, so every end found lies within it.
    s = walk(data[: MAX_SEED_BYTES + 2])
    if not s.blocks:
        return None
    ends = [m.end for m in s.blocks[0].messages if m.kind == "data" and m.end <= MAX_SEED_BYTES]
    return crop(data, s, ends[-1]) if ends else None


def seed_files() -> dict[str, bytes]:
    """name -> bytes, for every corpus and sample file (cropped when large)."""
    seeds: dict[str, bytes] = {"fitbytes/small_activity": small_activity(20)}
    roots = [("corpus", corpus_root()), ("sample_fit", SAMPLES)]
    for label, root in roots:
        files = _fit_files(root)
        if not files:
            raise RuntimeError(f"no FIT files under {root}")
        for path in files:
            data = _small(path.read_bytes())
            if data is not None:
                seeds[f"{label}/{path.relative_to(root)}"] = data
    return seeds
