"""A reprocess's input, copied out of the database in one pass and read back in bounded batches.

``hamflow reprocess`` must not hold the database for its whole duration: DuckDB lets no other
process open the file while one has it open for writing, so the nightly ingest and every
dashboard would wait hours on a large history. Its input (the workouts, their samples and
strength sets, numbered ``seq`` in the order the model reads them) is therefore copied to
Parquet files next to the database in one streamed, sorted pass (DuckDB spills the sort to
disk rather than holding it in memory); the reprocess then reads them back a batch of whole
workouts at a time and opens the database only to write each batch.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from .sqlfiles import read_sql

#: DuckDB's memory while it makes the sorted copy: beyond it the sort spills to disk, so the copy
#: of six athlete-years peaks at about 570 MB of resident memory instead of 3.2 GB (measured with
#: bench/exports.py), and a larger history needs no more.
SPOOL_MEMORY_LIMIT = "400MB"
#: Rows read from a Parquet file at a time.
_READ_ROWS = 65_536
_TABLES = {"workouts": "queries/reprocess_workouts.sql", "samples": "queries/reprocess_samples.sql",
           "strength_sets": "queries/reprocess_strength_sets.sql"}


def spool_folder(db_path: Path) -> Path:
    """Where a reprocess of ``db_path`` keeps its input (removed when it ends, and by the next
    reprocess after a crash)."""
    return db_path.with_name(f".{db_path.name}.reprocess")


@dataclass(frozen=True)
class StoredBatch:
    """Whole workouts' stored rows, each with its ``seq``."""

    workouts: pl.DataFrame
    samples: pl.DataFrame
    strength_sets: pl.DataFrame


class _InOrder:
    """The rows of a Parquet file sorted by ``seq``, handed out in that order without reading
    more than a read ahead of what was asked for."""

    def __init__(self, path: Path) -> None:
        # Imported here, not with the module: every process that imports ``hamflow.ingest`` loads
        # this module (a decode worker of the Prefect flow does), and pyarrow is 30 MB of resident
        # memory that only a reprocess uses.
        import pyarrow.parquet as pq

        self._file = pq.ParquetFile(path)
        self._batches = self._file.iter_batches(batch_size=_READ_ROWS)
        self._buffer: list[pl.DataFrame] = []
        self._rows = 0
        self.done = False

    def _read(self) -> None:
        batch = next(self._batches, None)
        if batch is None:
            self.done = True
            self._file.close()
            return
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        self._buffer.append(frame)
        self._rows += frame.height

    def _last_seq(self) -> int:
        return int(self._buffer[-1].get_column("seq")[-1])

    def _split(self, last: int) -> pl.DataFrame:
        """The buffered rows up to ``seq`` ``last``, leaving the rest buffered."""
        if not self._buffer:
            return self._empty()
        frame = pl.concat(self._buffer, rechunk=False)
        taken, kept = frame.filter(pl.col("seq") <= last), frame.filter(pl.col("seq") > last)
        self._buffer, self._rows = ([kept] if kept.height else []), kept.height
        return taken

    def _empty(self) -> pl.DataFrame:
        frame = pl.from_arrow(self._file.schema_arrow.empty_table())
        assert isinstance(frame, pl.DataFrame)
        return frame

    def through(self, last: int) -> pl.DataFrame:
        """Every row up to ``seq`` ``last``."""
        while not self.done and (not self._buffer or self._last_seq() <= last):
            self._read()
        return self._split(last)

    def whole_workouts(self, rows: int) -> pl.DataFrame | None:
        """The workouts up to and including the one holding the ``rows``-th row (all that is
        left at the end), each whole; None when done."""
        while True:
            if self._buffer:
                self._buffer = [pl.concat(self._buffer, rechunk=False)]
                seqs = self._buffer[0].get_column("seq")
                if self.done:
                    return self._split(self._last_seq())
                if seqs.len() >= rows and (cut := int(seqs[rows - 1])) < self._last_seq():
                    return self._split(cut)
            elif self.done:
                return None
            self._read()


@dataclass(frozen=True)
class Spool:
    """A snapshot of the workouts to reprocess, in ``folder``."""

    folder: Path
    #: The seq of each athlete's last workout with samples: when it is written, the athlete is done.
    last_seq: dict[str, int]

    def batches(self, samples_per_batch: int) -> Iterator[StoredBatch]:
        """Whole workouts with about ``samples_per_batch`` samples at a time, in seq order; a
        workout without samples is left out (there is nothing to classify it from)."""
        workouts, samples, sets = (_InOrder(self.folder / f"{t}.parquet") for t in _TABLES)
        while (chunk := samples.whole_workouts(samples_per_batch)) is not None:
            last = int(chunk.get_column("seq").max())  # type: ignore[arg-type]
            seqs = chunk.get_column("seq").unique()
            yield StoredBatch(workouts.through(last).filter(pl.col("seq").is_in(seqs.to_list())), chunk,
                              sets.through(last).filter(pl.col("seq").is_in(seqs.to_list())))


def spool(con: duckdb.DuckDBPyConnection, folder: Path, *, athlete: str | None, from_athlete: str = "") -> Spool:
    """Copy the input of a reprocess (of ``athlete``, or all; from ``from_athlete`` on) into
    ``folder``, replacing what was there."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    workouts = folder / "workouts.parquet"
    con.sql(read_sql(_TABLES["workouts"]), params={"athlete": athlete, "from_athlete": from_athlete}).write_parquet(str(workouts))
    for table in ("samples", "strength_sets"):
        con.sql(read_sql(_TABLES[table]), params={"workouts": str(workouts)}).write_parquet(str(folder / f"{table}.parquet"))
    with_samples = pl.scan_parquet(folder / "samples.parquet").select("seq").unique()
    last = (pl.scan_parquet(folder / "workouts.parquet").select("seq", "athlete_id").join(with_samples, on="seq")
            .group_by("athlete_id").agg(pl.col("seq").max()).collect())
    return Spool(folder, dict(zip(last.get_column("athlete_id").to_list(), last.get_column("seq").to_list(), strict=True)))
