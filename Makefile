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

.PHONY: help refresh build test lint diff history report bench eval-names clean

## Show this help.
help:
	@awk '/^## /{desc=substr($$0,4); next} /^[a-zA-Z_-]+:/{if(desc){split($$0,t,":"); printf "  make %-10s %s\n", t[1], desc}; desc=""}' $(MAKEFILE_LIST)

# Commands run from the repository (python -m pipeline) without installing it; `pip install .`
# gives the same commands as `naist-partners`, working on ./raw and ./out of the current directory.
# The locks are installed with uv (seconds instead of minutes, and it prints what it does),
# bootstrapped from the package index into the venv. uv is a set-up tool, not a dependency of
# the code, so its version is pinned here rather than in a lock; the locks still pin every
# package. If uv cannot be installed or fails, pip installs the same lock.
UV_VERSION := 0.13.8
UV := $(VENV)/bin/uv
# uv does not read pip's configuration: pass it the indexes, find-links and constraints pip is
# configured with (pip.conf and PIP_* variables), and let it pick across all indexes as pip does.
PIP_SOURCES = $$($(PY) -m pip config list 2>/dev/null \
	| sed -n "s/^[^.]*\.\(index-url\|extra-index-url\|find-links\|constraint\)='\(.*\)'$$/\1 \2/p" \
	| while read -r key values; do for v in $$values; do printf -- '--%s %s ' "$$key" "$$v"; done; done)
define install_lock
	@echo "installing $(1) into $(VENV)/ ..."
	@test -x $(UV) || $(PY) -m pip install --disable-pip-version-check uv==$(UV_VERSION) \
		|| echo "could not install uv; pip installs $(1) instead"
	@if test -x $(UV) && $(UV) pip install --python $(PY) --index-strategy unsafe-best-match \
		$(PIP_SOURCES) -r $(1); then :; else \
		echo "installing $(1) with pip ..."; \
		$(PY) -m pip install --disable-pip-version-check --progress-bar on -r $(1); fi
endef

$(RUNTIME): requirements.lock
	@test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(call install_lock,requirements.lock)
	@touch $@

$(DEV): $(RUNTIME) requirements-dev.lock
	$(call install_lock,requirements-dev.lock)
	@touch $@

## Fetch the live page (falls back to the newest snapshot in raw/ when offline) and rebuild out/.
refresh: $(RUNTIME)
	$(PY) -m pipeline refresh $(ARGS)

## Rebuild out/ from the newest snapshot in raw/ (no network).
build: $(RUNTIME)
	$(PY) -m pipeline build $(ARGS)

## What changed: the two newest snapshots in raw/, or make diff OLD=FILE NEW=FILE (add ARGS="--out out" to write diff.csv/.json).
diff: $(RUNTIME)
	$(PY) -m pipeline diff $(OLD) $(NEW) $(ARGS)

## Build out/history.parquet, out/history.csv and out/events.csv from every snapshot in raw/.
history: $(RUNTIME)
	$(PY) -m pipeline history $(ARGS)

## Rewrite out/report.html, partners.xlsx, expirations.ics, renewals.csv (ARGS="--on DATE --within MONTHS").
report: $(RUNTIME)
	$(PY) -m pipeline report $(ARGS)

## Run the test suite (unit, parser fixtures, golden pipeline, CLI, HTTP on 127.0.0.1).
# The `install` tests (pip install . into a fresh venv, ~40 s) run in .ci/run, not here.
test: $(DEV)
	$(PY) -m pytest -m "not install" $(ARGS)

## Lint with ruff.
lint: $(DEV)
	$(VENV)/bin/ruff check pipeline schemas tests bench eval

## Benchmark build, diff and history against a plain pandas.read_html script (writes bench/results.json).
bench: $(DEV)
	$(PY) bench/run.py $(ARGS)

## Measure name cleaning on the eval/names corpus: false fixes, precision, recall (ARGS="--part dev").
eval-names: $(DEV)
	$(PY) -m eval.names.evaluate $(ARGS)

## Remove the virtual environment and caches (raw/ and out/ are kept).
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis bench/work
