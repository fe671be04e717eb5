# Two commands: `make run` (the app with demo data on SQLite, http://localhost:3000) and `make test`
# (`make test-fast` for the inner loop: the unit tests on SQLite only).
SHELL := /bin/bash
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PORT ?= 3000
PYTEST_ARGS ?=
export PATH := $(BIN):$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false
export PYTHONUNBUFFERED := 1

.PHONY: run test test-fast install install-test browser migrate axe

$(VENV)/installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/installed-test: $(VENV)/installed
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/installed

install-test: $(VENV)/installed-test

AXE_DIR := tests/e2e/axe
$(AXE_DIR)/node_modules/axe-core/axe.min.js: $(AXE_DIR)/package-lock.json $(VENV)/installed
	$(BIN)/npm ci --prefix $(AXE_DIR) --no-audit --no-fund
	touch $@

# axe-core (pinned in tests/e2e/axe/package-lock.json) for the accessibility browser test; never fetched at run time.
axe: $(AXE_DIR)/node_modules/axe-core/axe.min.js

browser:
	@command -v chromium >/dev/null && [ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; }

migrate: install
	$(BIN)/python -m estate_pwa.manage migrate

run: migrate
	$(BIN)/python -m estate_pwa.manage demo
	$(BIN)/reflex run --env prod --frontend-port $(PORT) --backend-port $(PORT)

# Spread over four pytest-xdist workers: each backend's app and its tests on one worker, everything else shared
# (tests/conftest.py forms the groups). `PYTEST_ARGS=-n0` runs it in one process.
test: install-test browser axe
	$(BIN)/python -m pytest -n 4 --dist loadgroup $(PYTEST_ARGS)

# The unit tests on SQLite, spread over every core (pytest-xdist): each worker has its own database.
test-fast: install-test
	ESTATE_BACKENDS=sqlite $(BIN)/python -m pytest tests/unit -q -n auto $(PYTEST_ARGS)
