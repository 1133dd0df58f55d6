"""The DuckDB store: every row hamflow keeps, and the only package that talks to the database.

All SQL lives in the repository's ``sql/`` folder (shipped as ``hamflow.sql``), layered like a
dbt project: numbered migrations create the tables (``sql/001_schema.sql`` ...), base views
(``sql/base/``) define shared building blocks such as each athlete's latest week, the dashboard
views (``sql/views/``) and the queries (``sql/queries/``) build on them, and ``sql/writes/``,
``sql/meta/`` and ``sql/session/`` hold the statements that change rows or set up a connection.
Python only reads those files and binds parameters; the one statement it builds itself is
:func:`insert_frame`, for the contract's tables only.

Public functions, by module (the most used are importable from ``hamflow.store`` directly):

- :mod:`~hamflow.store.connection`: :func:`connect`, :func:`connection` (open with lock
  retries), :func:`transaction`, :func:`default_db_path`, :class:`StoreError`.
- :mod:`~hamflow.store.schema`: :func:`ensure_schema` (migrate, re-create views),
  :func:`require_schema`, :func:`schema_version`, :func:`read_sql`.
- :mod:`~hamflow.store.writer`: :func:`write_batch` (one transaction per batch, weeks included),
  :func:`known_hashes`; :class:`~hamflow.store.prepared.PreparedFile` is what it writes.
- :mod:`~hamflow.store.paths`: :func:`unknown_by_path`, :func:`remember_paths`.
- :mod:`~hamflow.store.runs`: :func:`start_run`, :func:`finish_run`, :func:`record_stage_times`.
- :mod:`~hamflow.store.weeks`: :func:`refresh_weeks`.
- :mod:`~hamflow.store.rewrite`: :func:`~hamflow.store.rewrite.stored_athlete`,
  :func:`~hamflow.store.rewrite.stored_workouts`, :func:`~hamflow.store.rewrite.replace_workouts`
  (for ``hamflow reprocess``, calibration and the merge of two recordings),
  :func:`~hamflow.store.rewrite.replace_roles` (which recording of a workout counts).
- :mod:`~hamflow.store.read`: ``read.weeks``, ``read.current_weeks``, ``read.workouts``,
  ``read.report_patterns``, ``read.report_workouts``, ``read.report_workout_samples``,
  ``read.report_workout_segments`` (the report's workout charts), ``read.guidance_workouts``,
  ``read.guidance_weeks`` (for ``hamflow next``), ``read.athletes``, ``read.require_athlete``,
  ``read.query`` (kept under ``read``: ``weeks`` is also a module here).
- :mod:`~hamflow.store.export`: :func:`~hamflow.store.export.export_parquet` (incremental: only partitions that changed).
- :mod:`~hamflow.store.insert`: :func:`insert_frame`; :mod:`~hamflow.store.frames`:
  :func:`fetch_frame`, :func:`registered`.

The names above are imported from their modules when first used, not with the package: a
worker that decodes and classifies imports :mod:`~hamflow.store.prepared` (what it returns) and
:mod:`~hamflow.store.path_entry`, and so never loads DuckDB (about 20 MB per process).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from . import read
    from .connection import StoreError, connect, connection, default_db_path, transaction
    from .frames import fetch_frame, registered
    from .insert import CONTRACT_TABLES, insert_frame
    from .path_entry import PathEntry
    from .paths import remember_paths, unknown_by_path
    from .prepared import FileOutcome, PreparedFile
    from .runs import RunCounts, StageTimes, finish_run, record_stage_times, start_run
    from .schema import ensure_schema, read_sql, require_schema, schema_version
    from .weeks import refresh_weeks
    from .writer import WriteResult, known_hashes, write_batch

#: Each public name and the module it lives in.
_HOMES: dict[str, str] = {
    "read": "read",
    **dict.fromkeys(("StoreError", "connect", "connection", "default_db_path", "transaction"), "connection"),
    **dict.fromkeys(("fetch_frame", "registered"), "frames"),
    **dict.fromkeys(("CONTRACT_TABLES", "insert_frame"), "insert"),
    "PathEntry": "path_entry",
    **dict.fromkeys(("remember_paths", "unknown_by_path"), "paths"),
    **dict.fromkeys(("FileOutcome", "PreparedFile"), "prepared"),
    **dict.fromkeys(("RunCounts", "StageTimes", "finish_run", "record_stage_times", "start_run"), "runs"),
    **dict.fromkeys(("ensure_schema", "read_sql", "require_schema", "schema_version"), "schema"),
    "refresh_weeks": "weeks",
    **dict.fromkeys(("WriteResult", "known_hashes", "write_batch"), "writer"),
}

__all__ = [
    "CONTRACT_TABLES", "FileOutcome", "PathEntry", "PreparedFile", "RunCounts", "StageTimes", "StoreError",
    "WriteResult", "connect", "connection", "default_db_path", "ensure_schema", "fetch_frame", "finish_run",
    "insert_frame", "known_hashes", "read", "read_sql", "record_stage_times", "refresh_weeks",
    "registered", "remember_paths", "require_schema", "schema_version", "start_run", "transaction", "unknown_by_path", "write_batch",
]


__getattr__ = lazy_names(__name__, _HOMES)
