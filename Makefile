# avrop – two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export AVROP_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test test-sqlite test-postgres bench lint install assets messages clean

$(BIN)/avrop: pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) is needed (Python 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(BIN)/avrop

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

install: $(BIN)/avrop assets

assets: node_modules/.package-lock.json

var/secret_key:
	mkdir -p var
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
	chmod 600 var/secret_key

## make run: set up, load demo data, serve on http://127.0.0.1:8000 with the task worker
run: install var/secret_key
	SECRET_KEY=$$(cat var/secret_key) AVROP_HTTPS=false $(BIN)/avrop run

## make test: the whole suite on SQLite; with DATABASE_URL set, on that database
test: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

bench: install
	@set -e; for script in bench/*.py; do echo "== $$script"; AVROP_ENV=test $(BIN)/python $$script $(BENCH_ARGS); done

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	AVROP_ENV=production SECRET_KEY=$$($(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))") \
		DJANGO_SETTINGS_MODULE=avrop.settings \
		$(BIN)/python -m django check --deploy --fail-level WARNING

messages: install var/secret_key
	cd src/avrop && export SECRET_KEY=$$(cat ../../var/secret_key) && ../../$(BIN)/avrop makemessages -l sv --no-obsolete --ignore 'edi/*' && ../../$(BIN)/avrop compilemessages

clean:
	rm -rf $(VENV) node_modules var
