# Two entry points (see README): `make chat` and `make test`. Both set themselves up from scratch.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup chat check test lint bench chaos e2e lock run clean

# A plain (non-editable) install, as in the Docker image, at the versions in constraints.txt;
# reinstalled whenever the package or the lock changes.
# One line per step; pip is quiet (its warnings and errors still show).
PIP_QUIET := --quiet --progress-bar off --disable-pip-version-check
$(STAMP): pyproject.toml constraints.txt $(shell find bot -type f -not -path '*__pycache__*')
	@echo "setup 1/3: virtualenv $(VENV)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "setup 2/3: pip itself"
	@$(BIN)/pip install $(PIP_QUIET) --upgrade pip
	@echo "setup 3/3: briefbot and its pinned dependencies (constraints.txt); about a minute the first time"
	@$(BIN)/pip install $(PIP_QUIET) -c constraints.txt '.[dev]'
	@touch $(STAMP)
	@echo "setup done: $(BIN)/briefbot"

setup: $(STAMP)

## Interactive console on the same answer core as the bot (no token needed).
chat: $(STAMP)
	@$(BIN)/briefbot check
	@$(BIN)/briefbot chat

check: $(STAMP)
	$(BIN)/briefbot check

lint: $(STAMP)
	$(BIN)/ruff check bot tests benchmarks

## Lint, corpus check, the whole test suite (pytest's "no tests" exit 5 is not a failure).
test: $(STAMP)
	$(BIN)/ruff check bot tests benchmarks
	$(BIN)/briefbot check
	$(BIN)/python -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc

## The index beside a trigram prefilter and tantivy (a few minutes); `make bench SIZES=10k,100k,1M` adds 1M.
SIZES ?= 10k,100k
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py --sizes $(SIZES)

## The fault table in the README (kill -9, resets, revoked token, poison update, storage faults); minutes.
chaos: $(STAMP)
	$(BIN)/python benchmarks/chaos.py

## The full-size replica run: 2,000 updates from 200 chats, three `briefbot run` on one PostgreSQL, one killed
## with -9 mid-run (README "Running several replicas"); a throwaway PostgreSQL unless PG_TEST_DSN is set; ~3 min.
e2e: $(STAMP)
	@if [ -n "$$PG_TEST_DSN" ]; then $(BIN)/python benchmarks/replica_faults.py e2e; else \
		bash -c 'source .ci/postgres.sh && pg_up && trap pg_down EXIT && $(BIN)/python benchmarks/replica_faults.py e2e'; fi

## Re-pin constraints.txt after changing dependencies in pyproject.toml (fresh resolve in a throwaway venv).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet '.[dev]'
	.lock-venv/bin/pip freeze --exclude briefbot | $(PYTHON) .ci/lock.py write
	rm -rf .lock-venv

## Run the Telegram bot with the settings in .env (`cp .env.example .env`, set TELEGRAM_BOT_TOKEN).
run: $(STAMP)
	@$(BIN)/briefbot run --env-file .env

clean:
	rm -rf $(VENV) .lock-venv .pytest_cache .ruff_cache
