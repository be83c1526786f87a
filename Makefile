# Two commands work on a fresh machine with Python 3.11+ and make: `make run`, `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint bench stress clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The stamp files re-install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/reader $(ARGS)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check reader tests benchmarks
	$(BIN)/ruff format --check reader tests benchmarks
	$(BIN)/mypy

# The randomized concurrency test at length: STEPS app steps against a CLI process.
STEPS ?= 2000
stress: $(VENV)/.installed-test
	READER_STRESS_STEPS=$(STEPS) $(BIN)/python -m pytest -q -s -p no:cacheprovider \
		tests/tui/test_random_concurrency.py

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py $(ARGS)

clean:
	rm -rf $(VENV) build dist .pytest_cache
