# Two entry points (see README): `make chat` and `make test`. Both set themselves up from scratch.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup chat check test lint bench run clean

# A plain (non-editable) install, as in the Docker image; reinstalled whenever the package changes.
$(STAMP): pyproject.toml $(shell find bot -type f -not -path '*__pycache__*')
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## Interactive console on the same answer core as the bot (no token needed).
chat: $(STAMP)
	$(BIN)/briefbot check
	$(BIN)/briefbot chat

check: $(STAMP)
	$(BIN)/briefbot check

lint: $(STAMP)
	$(BIN)/ruff check bot tests benchmarks

## Lint, corpus check, the whole test suite (pytest's "no tests" exit 5 is not a failure).
test: $(STAMP)
	$(BIN)/ruff check bot tests benchmarks
	$(BIN)/briefbot check
	$(BIN)/python -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py

## Run the Telegram bot (needs TELEGRAM_BOT_TOKEN).
run: $(STAMP)
	$(BIN)/briefbot run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
