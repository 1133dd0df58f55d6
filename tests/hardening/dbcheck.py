"""What must hold for a hamflow database in any state a run can leave it in, killed or not.

A database is *consistent* when no write was half done: every workout belongs to an ingested
file and has its samples, no child row lacks its workout, and every weekly row agrees with the
workouts of that athlete and week in the same snapshot (they are written in one transaction).
Each check is a single SQL statement, so it reads one snapshot even while a writer commits.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

_CHILD_TABLES = ("samples", "segments", "workout_patterns", "strength_sets")

#: name -> a query returning the number of offending rows.
CHECKS: dict[str, str] = {
    "workouts of a file that is not ingested":
        "SELECT count(*) FROM workouts w LEFT JOIN fit_files f USING (file_sha256) WHERE f.status IS DISTINCT FROM 'ingested'",
    "ingested files without workouts":
        "SELECT count(*) FROM fit_files f WHERE status = 'ingested' AND NOT EXISTS "
        "(SELECT 1 FROM workouts w WHERE w.file_sha256 = f.file_sha256)",
    "workouts without samples":
        "SELECT count(*) FROM workouts w WHERE NOT EXISTS (SELECT 1 FROM samples s WHERE s.workout_id = w.workout_id)",
    "quarantined files without a reason":
        "SELECT count(*) FROM fit_files WHERE status = 'quarantined' AND reason IS NULL",
    "paths pointing at no file":
        "SELECT count(*) FROM file_paths p WHERE NOT EXISTS (SELECT 1 FROM fit_files f WHERE f.file_sha256 = p.file_sha256)",
    **{
        f"{t} rows without their workout":
            f"SELECT count(*) FROM {t} c WHERE NOT EXISTS (SELECT 1 FROM workouts w WHERE w.workout_id = c.workout_id)"
        for t in _CHILD_TABLES
    },
    # a workout recorded twice counts once: its second recording (duplicate_of) is not in the week
    "weekly rows that disagree with the workouts":
        "WITH agg AS (SELECT athlete_id, week_start, count(*) AS n, sum(posterior_load) AS pl FROM workouts "
        "WHERE duplicate_of IS NULL GROUP BY ALL) "
        "SELECT count(*) FROM weekly_posterior_load w FULL JOIN agg a USING (athlete_id, week_start) "
        "WHERE coalesce(w.workouts, -1) <> coalesce(a.n, 0) "
        "OR abs(coalesce(w.posterior_load, -1) - coalesce(a.pl, 0)) > 1e-6 * (1 + abs(coalesce(a.pl, 0)))",
}

#: One statement that sees one snapshot: weekly rows with the workouts of their week, for readers
#: polling while a writer commits. Returns (athlete_id, week_start, weekly_workouts,
#: counted_workouts, weekly_posterior_load, summed_posterior_load).
WEEK_VS_WORKOUTS = (
    "WITH agg AS (SELECT athlete_id, week_start, count(*) AS n, sum(posterior_load) AS pl FROM workouts "
    "WHERE duplicate_of IS NULL GROUP BY ALL) "
    "SELECT athlete_id, CAST(week_start AS VARCHAR) AS week_start, w.workouts AS weekly_n, coalesce(a.n, 0) AS counted_n, "
    "w.posterior_load AS weekly_pl, coalesce(a.pl, 0) AS summed_pl "
    "FROM weekly_posterior_load w FULL JOIN agg a USING (athlete_id, week_start) ORDER BY ALL"
)


def week_row_problem(row: dict) -> str | None:
    """Why one row of :data:`WEEK_VS_WORKOUTS` shows a partial week (None if it does not)."""
    if row["weekly_n"] is None:
        return f"{row['athlete_id']} {row['week_start']}: {row['counted_n']} workouts but no weekly row"
    if row["weekly_n"] != row["counted_n"]:
        return f"{row['athlete_id']} {row['week_start']}: weekly row says {row['weekly_n']} workouts, {row['counted_n']} present"
    if abs(row["weekly_pl"] - row["summed_pl"]) > 1e-6 * (1 + abs(row["summed_pl"])):
        return f"{row['athlete_id']} {row['week_start']}: weekly posterior load {row['weekly_pl']} != {row['summed_pl']}"
    return None


def problems(db: Path) -> list[str]:
    """Every consistency check that fails, with its count of offending rows."""
    out = []
    with duckdb.connect(str(db), read_only=True) as con:
        for name, sql in CHECKS.items():
            (n,), = con.execute(sql).fetchall()
            if n:
                out.append(f"{n} {name}")
    return out


def counts(db: Path, tables: tuple[str, ...] = ("fit_files", "workouts", "samples", "segments", "workout_patterns",
                                                "strength_sets", "weekly_posterior_load")) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables}


def file_rows(db: Path) -> dict[str, tuple]:
    """file_sha256 -> (status, reason, athlete_id, decode_status) for every file row."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT file_sha256, status, reason, athlete_id, decode_status FROM fit_files").fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}
