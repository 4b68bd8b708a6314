# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Browser tests drive Debian's Chromium (never a browser downloaded by a test tool).
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export CI CHROMIUM

.PHONY: demo test lint venv bench clean deploy-servers

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev,openlineage,deploy]'
	touch $(STAMP)

venv: $(STAMP)

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

# The deploy test tier runs Debian's PostgreSQL and Redis servers itself (no system service).
deploy-servers:
	@command -v redis-server >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
		|| { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install \
		-y -qq postgresql redis-server; }

lint: $(STAMP)
	$(BIN)/ruff check asset2airflow tests bench dags scripts
	$(BIN)/mypy --strict asset2airflow

test: lint $(CHROMIUM) deploy-servers
	$(BIN)/python -m pytest -q -p no:cacheprovider

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

DAGSTER_VENV := .venv-dagster
$(DAGSTER_VENV)/.installed:
	$(PYTHON) -m venv $(DAGSTER_VENV)
	$(DAGSTER_VENV)/bin/python -m pip install --quiet dagster==1.13.29
	touch $@

bench: $(STAMP) $(DAGSTER_VENV)/.installed
	$(BIN)/python scripts/dagster_api_coverage.py --dagster-python $(DAGSTER_VENV)/bin/python
	$(BIN)/python bench/local_materialize.py --dagster-python $(DAGSTER_VENV)/bin/python
	$(BIN)/python bench/partitions.py --dagster-python $(DAGSTER_VENV)/bin/python
	$(BIN)/python bench/plugin.py
	$(BIN)/python bench/e2e.py

clean:
	rm -rf $(VENV) $(DAGSTER_VENV) .airflow .asset2airflow
