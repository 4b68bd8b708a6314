# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export CI

.PHONY: demo test lint typecheck unit venv clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check asset2airflow tests bench dags
	$(BIN)/mypy --strict asset2airflow

test: lint
	$(BIN)/python -m pytest -q -p no:cacheprovider

demo: $(STAMP)
	@echo "Materializing the sales pipeline locally (the Airflow compiler is not built yet)."
	$(BIN)/asset2airflow materialize dags/sales_pipeline.py

clean:
	rm -rf $(VENV) .airflow .asset2airflow
