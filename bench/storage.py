"""Bytes on disk per row of ``samples`` (the table ``samples_stored`` under the view), from
DuckDB's own account of where the table's segments lie.

``pragma_storage_info`` names the block of every persistent column segment (and the further
blocks of long ones); the distinct blocks times the block size is what the table occupies in the
file, an upper bound where a block is shared with another table's segments.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class TableSize:
    rows: int
    bytes: int
    file_bytes: int

    @property
    def per_row(self) -> float:
        return self.bytes / self.rows if self.rows else 0.0


def table_size(db: Path, table: str = "samples_stored") -> TableSize:
    with duckdb.connect(str(db), read_only=True) as con:
        block_size = con.execute("SELECT block_size FROM pragma_database_size()").fetchone()
        blocks = con.execute(
            "SELECT count(DISTINCT b) FROM (SELECT block_id AS b FROM pragma_storage_info(?) WHERE persistent AND block_id >= 0 "
            "UNION ALL SELECT unnest(additional_block_ids) FROM pragma_storage_info(?) WHERE persistent)", [table, table]).fetchone()
        rows = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    assert block_size is not None and blocks is not None and rows is not None
    return TableSize(int(rows[0]), int(blocks[0]) * int(block_size[0]), db.stat().st_size)
