"""Damaged copies of real activity files through a real ingest: salvaged with warnings or
quarantined, never a number no athlete could have produced.

Bytes in the data region (after the header, before the final checksum) of small corpus activity
files are overwritten with random ones, 64 at a time, seeded; the copies go through
``hamflow ingest`` into a real DuckDB file next to their clean originals.
"""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pytest

from hamflow.fit import FitResult, Session
from hamflow.ingest import IngestOptions, ingest
from hamflow.model import DEFAULT_CONFIG, ClassifiedSession, WorkoutSummary, load_config
from hamflow.model.quality import bounds_for
from hamflow.model.sports import activity_of

from ..corpus import CorpusFile, corpus_root

pytestmark = pytest.mark.slow

SEED = 20261130
COPIES = 120
#: Small files keep the run short; the screen does not care about size.
MAX_SOURCE_BYTES = 120_000


def sources(corpus: dict[str, CorpusFile], classified: list[tuple[str, Session, ClassifiedSession]]) -> list[tuple[str, float, float]]:
    """(corpus path, clean distance, clean total load) of the small clean activities with a distance."""
    summaries: dict[str, list[WorkoutSummary]] = {}
    for rel, _session, cs in classified:  # the run's one classification of the corpus
        summaries.setdefault(rel, []).append(cs.summary)
    out = []
    for rel, item in sorted(corpus.items()):
        r = item.outcome
        if not isinstance(r, FitResult) or not r.is_activity or r.status != "ok" or r.identity.size_bytes > MAX_SOURCE_BYTES:
            continue
        mine = summaries.get(rel, [])  # an activity without sessions has none
        distance = sum(s.distance_m or 0.0 for s in mine)
        if distance > 0 and all(s.total_load / max(s.duration_s, 1) * 3600 <= 200 for s in mine if s.duration_s >= 1200):
            out.append((rel, distance, sum(s.total_load for s in mine)))
    return out


def damage(data: bytes, rng: random.Random) -> bytes:
    header = data[0]
    body = bytearray(data)
    start, stop = header + 16, len(data) - 2 - 64
    offset = rng.randrange(start, max(start + 1, stop))
    body[offset : offset + 64] = bytes(rng.randrange(256) for _ in range(64))
    return bytes(body)


def test_damaged_copies_are_salvaged_within_bounds_or_quarantined(
        corpus: dict[str, CorpusFile], classified_corpus: list[tuple[str, Session, ClassifiedSession]], tmp_path: Path) -> None:
    rng = random.Random(SEED)
    picked = sources(corpus, classified_corpus)
    assert len(picked) >= 10
    inbox = tmp_path / "inbox" / "damaged"
    inbox.mkdir(parents=True)
    clean_distance = {}
    for i in range(COPIES):
        rel, distance, _load = picked[i % len(picked)]
        name = f"{i:03d}-{Path(rel).stem}.fit"
        (inbox / name).write_bytes(damage((corpus_root() / rel).read_bytes(), rng))
        clean_distance[name] = distance
    db = tmp_path / "damaged.duckdb"
    report = ingest([inbox.parent], db, load_config(None), IngestOptions(settle_s=0.0))
    assert report.status == "completed"
    with duckdb.connect(str(db), read_only=True) as con:
        files = con.execute("SELECT path, status, decode_status, reason FROM fit_files").fetchall()
        workouts = con.execute(
            "SELECT f.path, w.workout_id, w.sport, w.sub_sport, w.distance_m, w.duration_s, w.posterior_load + w.quad_load "
            "FROM workouts w JOIN fit_files f USING (file_sha256)"
        ).fetchall()
        fast = con.execute(
            "SELECT w.sport, w.sub_sport, max(s.speed_mps) FILTER (WHERE NOT coalesce(list_contains(s.masked, 'speed_mps'), false)), "
            "max(s.power_w) FILTER (WHERE NOT coalesce(list_contains(s.masked, 'power_w'), false)) "
            "FROM samples s JOIN workouts w USING (workout_id) WHERE s.load > 0 GROUP BY ALL"
        ).fetchall()
    distinct = set(inbox.iterdir())
    assert len(files) <= len(distinct) and len(files) >= len(distinct) - 5  # identical damage is one file
    for _path, status, _decode, reason in files:
        assert status in ("ingested", "quarantined", "not_activity")
        assert status != "quarantined" or reason is not None
    for sport, sub, v, p in fast:
        bounds = bounds_for(activity_of(sport, sub), DEFAULT_CONFIG.model.quality)
        assert v is None or v <= bounds.max_speed_mps, (sport, v)
        assert p is None or p <= 2500.0, (sport, p)
    by_file: dict[str, float] = {}
    for path, _wid, _sport, _sub, distance, duration, load in workouts:
        by_file[Path(path).name] = by_file.get(Path(path).name, 0.0) + (distance or 0.0)
        if duration >= 1200:
            assert load / duration * 3600 <= 200, path
    for name, distance in by_file.items():
        assert distance <= 2 * clean_distance[name] + 1.0, name
