# avrop – two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --quiet --disable-pip-version-check
export AVROP_DATA_DIR ?= $(CURDIR)/var
## make run PORT=8001 serves on another port; AVROP_BIND=0.0.0.0:8000 on another address too
PORT ?= 8000
AVROP_BIND ?= 127.0.0.1:$(PORT)

.PHONY: run test test-sqlite test-postgres bench faults load lint install install-dev check-system assets messages clean

## what the system must provide (Python 3.11 with venv, npm, Pango, fonts): one message listing what is missing
check-system:
	@scripts/check-system $(PYTHON)

## runtime packages only (requirements.lock)
$(BIN)/avrop: pyproject.toml requirements.lock | check-system
	@test -x $(BIN)/python || { echo "make: creating .venv and installing the Python packages (one to two minutes)"; \
		$(PYTHON) -m venv $(VENV); }
	$(PIP) -r requirements.lock
	$(PIP) --no-deps -e .
	touch $(BIN)/avrop

## development and test packages on top (requirements-dev.lock)
$(VENV)/.dev-installed: $(BIN)/avrop requirements-dev.lock
	$(PIP) -r requirements-dev.lock
	touch $@

node_modules/.package-lock.json: package.json package-lock.json | check-system
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

install: $(BIN)/avrop assets

install-dev: install $(VENV)/.dev-installed

assets: node_modules/.package-lock.json

var/secret_key:
	mkdir -p var
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
	chmod 600 var/secret_key

## make run: set up, load demo data, serve on http://127.0.0.1:8000 (PORT=…) with the task worker
run: check-system install var/secret_key
	SECRET_KEY=$$(cat var/secret_key) AVROP_HTTPS=false AVROP_BIND=$(AVROP_BIND) $(BIN)/avrop run

## make test: the whole suite on SQLite; with DATABASE_URL set, on that database
test: install-dev
	@command -v chromium >/dev/null || [ -n "$${AVROP_CHROMIUM:-}" ] || \
		echo "make: chromium is not installed, so the browser tests are skipped (Debian: apt-get install chromium)"
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-postgres: install-dev
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

bench: install-dev
	@set -e; for script in bench/*.py; do echo "== $$script"; AVROP_ENV=test $(BIN)/python $$script $(BENCH_ARGS); done

## make faults: outages against the real server and worker on a private PostgreSQL and Redis (docs/operations.md);
## FAULTS_ARGS=--quick for 10-second outages
faults: install-dev
	$(BIN)/python scripts/faults $(FAULTS_ARGS)

## make load: the scenario mix of bench/load under locust against the real server (50 users, 10 min, 1M items,
## 100k orders and invoices; DATABASE_URL names the PostgreSQL server); LOAD_ARGS=--quick is the CI step,
## LOAD_ARGS="--soak 60" the memory soak; bench/load/run.py --help lists the options
load: install-dev
	AVROP_ENV=test $(BIN)/python bench/load/run.py $(LOAD_ARGS)

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/python scripts/audit-dependencies
	AVROP_ENV=production SECRET_KEY=$$($(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))") \
		DJANGO_SETTINGS_MODULE=avrop.settings \
		$(BIN)/python -m django check --deploy --fail-level WARNING

messages: install var/secret_key
	cd src/avrop && export SECRET_KEY=$$(cat ../../var/secret_key) && ../../$(BIN)/avrop makemessages -l sv --no-obsolete --ignore 'edi/*' && ../../$(BIN)/avrop compilemessages

clean:
	rm -rf $(VENV) node_modules var
