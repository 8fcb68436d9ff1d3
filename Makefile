# Two commands: `make demo` (demo data -> pipeline -> dashboard) and `make test` (every test).
# Each installs what it needs into .venv with only Python 3.11, pip and make.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOME_DIR ?= var
LOCK := requirements.lock

.PHONY: install browser axe demo test lint benchmark docs lock clean

# Installs the exact versions of requirements.lock (pyproject.toml says the ranges; `make lock` refreshes the pins).
$(BIN)/ips-monitor: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint $(LOCK) -e '.[dev]'
	touch $@

# dbt's manifest is what Dagster reads to build the dbt assets; parse it whenever the project may have changed.
install: $(BIN)/ips-monitor
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir .

# Debian's Chromium for the browser tests: Playwright may not download a browser of its own here.
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# axe-core (npm's tarball, checked against its pinned sha512) for the browser tests' accessibility audit; no node needed.
axe: $(BIN)/ips-monitor
	$(BIN)/python scripts/axe_core.py

demo: install
	$(BIN)/ips-monitor --home $(HOME_DIR) demo

lint: install
	$(BIN)/ruff check pipelines schemas dashboards seeds tests scripts
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/macros dbt_project/tests
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

test: lint browser axe
	$(BIN)/pytest

# What the pipeline costs at a scale (1 = Sweden: 300 sites, 15,000 participants a year): `make benchmark SCALE=10 RUNS=1`.
SCALE ?= 1
RUNS ?= 3
benchmark: install
	$(BIN)/python scripts/benchmark.py --scale $(SCALE) --runs $(RUNS)

# The catalogue and the SDMX structure are generated from seeds/reference/; tests fail when they are stale.
docs: install
	$(BIN)/python -m pipelines.publishing.catalogue
	$(BIN)/python -m pipelines.publishing.sdmx_structure

# Resolve pyproject.toml's ranges afresh in a throwaway venv and pin what they give; commit the new lock.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	echo "# Exact versions for 'make install'; refresh with 'make lock'." > $(LOCK)
	.lock-venv/bin/python -m pip freeze --exclude-editable >> $(LOCK)
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) dbt_project/target
