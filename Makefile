# CareLedger — the doors for newcomers. `make run` serves the demo school; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
DATABASE_URL ?=
export DATABASE_URL
# `make run` serves the demo school; `make run DEMO=0` (or CARELEDGER_DEMO=0) a real school,
# starting with the setup wizard in the browser. Chosen once: see README "Demo or real".
DEMO ?= $(or $(CARELEDGER_DEMO),1)
# The running app takes the daily verified backup itself (a pilot has no timer or cron).
CARELEDGER_AUTO_BACKUP ?= 1

.PHONY: run test lint format bench seed migrate system-deps clean-data help

help:
	@echo "make run    - install, migrate, seed the demo school on first start, serve on port $(PORT)"
	@echo "make run DEMO=0 - the same for a real school: no demo data, a setup wizard in the browser"
	@echo "make test   - install dev tools and browser, run every test"
	@echo "make bench  - benchmarks at school and county scale"
	@echo "make lint   - ruff check + format check"

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

system-deps:
	bash scripts/system-deps.sh

migrate: $(VENV)/.runtime
	$(PY) -m db.upgrade

run: $(VENV)/.runtime
	$(PY) -m seed --start $(if $(filter 0 no false,$(DEMO)),real,demo)
	@PORT=$(PORT) $(PY) -m seed.logins
	CARELEDGER_AUTO_BACKUP=$(CARELEDGER_AUTO_BACKUP) PORT=$(PORT) \
		$(PY) -m streamlit run app.py --server.port $(PORT) --server.address 0.0.0.0

test: $(VENV)/.dev system-deps
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest -n 2 --dist loadgroup

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: $(VENV)/.dev
	$(PY) -m bench

clean-data:
	rm -rf data/
