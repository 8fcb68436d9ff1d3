# Two commands: `make demo` (demo data -> pipeline -> dashboard) and `make test` (every test).
# Each installs what it needs into .venv with only Python 3.11, pip and make.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOME_DIR ?= var

.PHONY: install demo test lint benchmark docs clean

$(BIN)/ips-monitor: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# dbt's manifest is what Dagster reads to build the dbt assets; parse it whenever the project may have changed.
install: $(BIN)/ips-monitor
	cd dbt_project && IPS_MONITOR_HOME=$(abspath $(HOME_DIR)) ../$(BIN)/dbt parse --quiet --profiles-dir .

demo: install
	$(BIN)/ips-monitor --home $(HOME_DIR) demo

lint: install
	$(BIN)/ruff check pipelines schemas dashboards seeds tests scripts

test: lint
	$(BIN)/pytest

benchmark: install
	$(BIN)/python scripts/benchmark.py

# The catalogue and the SDMX structure are generated from seeds/reference/; tests fail when they are stale.
docs: install
	$(BIN)/python -m pipelines.exports.catalogue
	$(BIN)/python -m pipelines.exports.sdmx_structure

clean:
	rm -rf $(VENV) dbt_project/target
