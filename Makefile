# Two entry points (see README): `make chat` and `make test`. Both set themselves up from scratch.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup chat check test lint bench chaos lock run clean

# A plain (non-editable) install, as in the Docker image, at the versions in constraints.txt;
# reinstalled whenever the package or the lock changes.
$(STAMP): pyproject.toml constraints.txt $(shell find bot -type f -not -path '*__pycache__*')
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt '.[dev]'
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

## The fault table in the README (kill -9, resets, revoked token, poison update, storage faults); minutes.
chaos: $(STAMP)
	$(BIN)/python benchmarks/chaos.py

## Re-pin constraints.txt after changing dependencies in pyproject.toml (fresh resolve in a throwaway venv).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet '.[dev]'
	.lock-venv/bin/pip freeze --exclude briefbot | $(PYTHON) .ci/lock.py write
	rm -rf .lock-venv

## Run the Telegram bot (needs TELEGRAM_BOT_TOKEN).
run: $(STAMP)
	$(BIN)/briefbot run

clean:
	rm -rf $(VENV) .lock-venv .pytest_cache .ruff_cache
