# Two commands do everything: `make demo` and `make test`.
# They create .venv/, install the project into it and fetch the Kafka jars
# (with Maven, once) before doing their work.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_ARGS ?=

.PHONY: demo test test-fast lint typecheck schemas kafka-jars bench clean help

help:
	@echo "make demo    start Kafka, migrate, run the worker, publish samples, summarize, stop"
	@echo "make test    run the whole test suite (unit, agents, integration, static)"
	@echo "make lint    ruff + mypy"
	@echo "make bench   views, gateway load, pipeline vs. peers, 1-3 workers on a server (~25 min; not in make test)"
	@echo "make clean   remove .venv, var/ and caches"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

kafka-jars: $(STAMP)
	$(BIN)/python -m streams.devtools.broker.fetch

demo: $(STAMP) kafka-jars
	$(BIN)/mttr demo

test: $(STAMP) kafka-jars
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest tests/unit tests/agents tests/static

lint: $(STAMP)
	$(BIN)/ruff check streams schemas tests bench
	$(BIN)/mypy

schemas: $(STAMP)
	$(BIN)/mttr schemas

# A measurement, not a test: never a prerequisite of `test`. Results: bench/results/.
bench: $(STAMP)
	$(BIN)/python -m bench $(or $(BENCH_ARGS),all)

clean:
	rm -rf $(VENV) var .cache .pytest_cache .mypy_cache .ruff_cache *.egg-info
