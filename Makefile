# hamflow: two set-up commands do everything on a fresh machine with Python 3.11+.
#   make demo   creates .venv if needed, installs hamflow (no dev extras), runs it on sample_fit/
#   make test   creates .venv if needed, installs hamflow with its dev extras, runs every test (CI)
#   make test-fast  the same without the tests marked slow, for day-to-day work
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
MAIN   := $(VENV)/.installed-main
# A DuckDB 1.4 reader (what dashboards and the duckdb CLI bundle) for the file-compatibility test.
COMPAT := .venv-duckdb14

.PHONY: demo lint test test-fast samples screenshot bench clean

# The demo installs what the main job needs; the tests add the dev extras (and the fast decoder).
# setuptools warns at length, for every editable install whose package_dir maps a folder (sql/
# ships as hamflow.sql), that a folder named like the package may shadow it: ours is the package.
INSTALL := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet
$(MAIN): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(INSTALL) -e .
	touch $(MAIN)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(INSTALL) -e '.[dev]'
	touch $(STAMP) $(MAIN)

# Bytecode for the editable sources. pip compiles a package it installs, but not an editable
# one, and where the environment forbids writing bytecode (PYTHONDONTWRITEBYTECODE, as some
# container images set it) every process compiled hamflow from source again: about 0.3 CPU s
# for each command, worker and test process. compileall writes it explicitly, and only for
# sources changed since.
BYTECODE := $(BIN)/python -m compileall -q -j 0 hamflow hamflow_flows samplegen bench tests

DB := hamflow.duckdb

demo: $(MAIN)
	$(BYTECODE)
	$(BIN)/hamflow inspect --summary sample_fit
	rm -f $(DB) $(DB).wal
	$(BIN)/hamflow ingest sample_fit --db $(DB) --settle 0
	$(BIN)/hamflow weeks --db $(DB)
	$(BIN)/hamflow report --db $(DB) --out report.html
	@echo
	@echo "database: $(CURDIR)/$(DB)   report: $(CURDIR)/report.html"
	@echo "query it:  $(BIN)/hamflow sql \"SELECT athlete_id, week_start, posterior_share, flags FROM weekly_posterior_load\" --db $(DB)"
	@echo "           or any DuckDB client:  duckdb -readonly $(DB)"

screenshot: $(STAMP) demo
	$(BIN)/python scripts/screenshot.py report.html docs/report.png

$(COMPAT)/bin/python:
	$(PYTHON) -m venv $(COMPAT)
	$(COMPAT)/bin/python -m pip install --quiet "duckdb==1.4.5"

# The gates first (seconds), then the tests: lint, strict types on the library and flows.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# Two test processes (pytest-xdist), each taking whole test files: many tests wait on child
# processes, a browser, a Prefect server or a schedule, and the other process runs meanwhile.
# Not more: tests start worker pools and clusters of their own. PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
XDIST := -n $(PYTEST_WORKERS) --dist loadfile

test: lint $(COMPAT)/bin/python
	$(BYTECODE)
	HAMFLOW_COMPAT_PYTHON=$(CURDIR)/$(COMPAT)/bin/python $(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

# Everything but the tests marked slow (hardening campaigns, whole-corpus model checks, serve).
test-fast: lint $(COMPAT)/bin/python
	$(BYTECODE)
	HAMFLOW_COMPAT_PYTHON=$(CURDIR)/$(COMPAT)/bin/python $(BIN)/python -m pytest $(XDIST) -m "not slow" $(PYTEST_ARGS)

# The performance benchmark (docs/benchmarks.md): every target, each a ratio to fitparse alone
# measured in the same run, printed as one table and saved in build/bench-work/results.json.
# Generates a seeded athlete-year (build/bench-year) and six more for the history databases
# (build/bench-history) once. About 30 minutes on 2 cores the first time, 20 after;
# BENCH_ARGS=--quick is a smoke test of the harness, BENCH_ARGS=--report-only prints the last run.
bench: $(STAMP)
	$(BYTECODE)
	$(BIN)/python bench/backfill.py $(BENCH_ARGS)

samples: $(STAMP)
	$(BIN)/python -m samplegen --out sample_fit --clean

clean:
	rm -rf $(VENV) $(COMPAT) .pytest_cache build *.egg-info
