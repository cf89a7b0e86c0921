# Self-documenting: every target has a `## description`; bare `make` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON_BOOT ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed

ARGS ?=
OLD ?=
NEW ?=

.PHONY: help refresh build test lint diff history report bench clean

## Show this help.
help:
	@awk '/^## /{desc=substr($$0,4); next} /^[a-zA-Z_-]+:/{if(desc){split($$0,t,":"); printf "  make %-10s %s\n", t[1], desc}; desc=""}' $(MAKEFILE_LIST)

# Commands run from the repository root (python -m pipeline), so the project itself needs no install.
$(RUNTIME): requirements.lock
	@test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

$(DEV): $(RUNTIME) requirements-dev.lock
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	@touch $@

## Fetch the live page (falls back to the newest snapshot in raw/ when offline) and rebuild out/.
refresh: $(RUNTIME)
	$(PY) -m pipeline refresh $(ARGS)

## Rebuild out/ from the newest snapshot in raw/ (no network).
build: $(RUNTIME)
	$(PY) -m pipeline build $(ARGS)

## Compare two versions: make diff OLD=raw/a.html NEW=raw/b.html (snapshots or partners.parquet).
diff: $(RUNTIME)
	$(PY) -m pipeline diff $(OLD) $(NEW) $(ARGS)

## Build out/history.parquet, out/history.csv and out/events.csv from every snapshot in raw/.
history: $(RUNTIME)
	$(PY) -m pipeline history $(ARGS)

## Rewrite out/report.html, partners.xlsx, expirations.ics, renewals.csv (ARGS="--on DATE --within MONTHS").
report: $(RUNTIME)
	$(PY) -m pipeline report $(ARGS)

## Run the test suite (unit, parser fixtures, golden pipeline, CLI, HTTP on 127.0.0.1).
test: $(DEV)
	$(PY) -m pytest $(ARGS)

## Lint with ruff.
lint: $(DEV)
	$(VENV)/bin/ruff check pipeline schemas tests bench

## Benchmark build, diff and history against a plain pandas.read_html script (writes bench/results.json).
bench: $(DEV)
	$(PY) bench/run.py $(ARGS)

## Remove the virtual environment and caches (raw/ and out/ are kept).
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis bench/work
