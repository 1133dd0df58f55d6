"""What a decode worker of the flow's process pool loads before its first task.

A spawned worker runs its parent's main script (the ``hamflow`` console script imports
:mod:`hamflow.cli`) and then unpickles what each task hands it: the library function and its
arguments (:func:`hamflow_flows.pool.in_worker`). Whatever those import at module level costs
every worker its resident memory; Prefect, pyarrow, DuckDB and the commands (the store's export,
the report) are about 130 MB of it that decoding never uses.
"""

from __future__ import annotations

import hashlib
import pickle
import subprocess
import sys
from pathlib import Path

from hamflow.model import load_config
from hamflow.model.config_load import find_config

#: In the worker: import what the console script imports, unpickle what a task sends, run it
#: (survey, then prepare), name the modules loaded of those a worker must not load.
_WORKER = """
import pickle, sys
import hamflow.cli
prepare, survey, candidates, options, config = pickle.loads(sys.stdin.buffer.read())
assert survey(candidates, config, options).height > 0
assert [p.status for p in prepare(candidates, config, options)] == ["ingested"]
print(" ".join(m for m in sys.argv[1:] if m in sys.modules))
"""

ROOT = Path(__file__).resolve().parents[2]

NOT_IN_A_WORKER = ("prefect", "pyarrow", "duckdb", "hamflow.cli.commands", "hamflow.store.export", "hamflow.report.page", "hamflow.report.charts")


def test_a_pool_worker_loads_neither_prefect_nor_pyarrow_nor_duckdb_nor_the_commands(tmp_path: Path) -> None:
    from hamflow.ingest import Candidate, IngestOptions, prepare_files
    from hamflow.ingest.run import survey_batch

    fit = sorted((ROOT / "sample_fit" / "ana").glob("*.fit"))[0]
    candidate = Candidate(path=str(fit), size_bytes=fit.stat().st_size, mtime_ns=fit.stat().st_mtime_ns, folder_athlete="ana",
                          sha256=hashlib.sha256(fit.read_bytes()).hexdigest())
    sent = pickle.dumps((prepare_files, survey_batch, [candidate], IngestOptions(), load_config(find_config(None))))
    loaded = subprocess.run([sys.executable, "-c", _WORKER, *NOT_IN_A_WORKER], input=sent, capture_output=True,
                            cwd=tmp_path, check=True, timeout=120)
    assert loaded.stdout.decode().split() == []
