# ERP Engine — the two commands are `make run` and `make test`.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
ERP := $(UV) run --frozen erp
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: install run test lint format serve clean web web-test screenshots

$(UV):
	python3 -m pip install --user --quiet uv

install: $(UV) ## create .venv and install the locked dependencies
	$(UV) sync --frozen --quiet

run: install web ## migrate ./var/erp.db, load demo data once, serve on http://127.0.0.1:8000
	$(ERP) migrate
	$(ERP) demo
	$(ERP) serve --host $(HOST) --port $(PORT)

test: install web-test web ## every test: unit, API on SQLite and PostgreSQL, migrations, concurrency, web UI
	$(UV) run --frozen pytest -n $(PYTEST_WORKERS) --dist loadgroup -q --ignore=tests/e2e
	@# Playwright's sync API keeps an event loop running in its thread for the whole session,
	@# which breaks asyncio.run() in any test sharing that process: the browser tests run alone.
	$(UV) run --frozen pytest tests/e2e -q

# --- web UI (web/): npm ci when the lockfile changed, a build only when a source is newer ---
WEB_SOURCES := $(shell find web/src web/index.html web/package.json web/vite.config.ts \
	web/tsconfig.json web/postcss.config.cjs -type f 2>/dev/null)

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build --silent
	@touch $@

web: web/dist/index.html ## build the web UI into web/dist (served by `erp serve` at /)

web-test: install web/node_modules/.package-lock.json ## component tests and the API client drift check
	cd web && npm test --silent -- --run
	cd web && UV=$(UV) npm run --silent check:client

screenshots: install web ## refresh docs/screenshots from the end-to-end run
	E2E_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(UV) run --frozen pytest tests/e2e -q

.PHONY: bench
bench: install ## benchmarks (never part of `make test`): service, pgbench limit, spreadsheets; PostgreSQL at 127.0.0.1:5432
	@command -v pgbench >/dev/null || apt-get install -y -qq postgresql-client >/dev/null || true
	@command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null || true
	$(UV) run --frozen python bench/run.py
	$(UV) run --frozen python bench/spreadsheets.py

lint: install ## ruff (lint + format check) and the import-linter layering contracts
	$(UV) run --frozen ruff check src tests
	$(UV) run --frozen ruff format --check src tests
	$(UV) run --frozen lint-imports

format: install
	$(UV) run --frozen ruff format src tests
	$(UV) run --frozen ruff check --fix src tests

clean:
	rm -rf .venv var .pytest_cache .ruff_cache
