# ERP Engine — the two commands are `make run` and `make test`.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
ERP := $(UV) run --frozen erp
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: install run test lint format serve clean

$(UV):
	python3 -m pip install --user --quiet uv

install: $(UV) ## create .venv and install the locked dependencies
	$(UV) sync --frozen --quiet

run: install ## migrate ./var/erp.db, load demo data once, serve on http://127.0.0.1:8000
	$(ERP) migrate
	$(ERP) demo
	$(ERP) serve --host $(HOST) --port $(PORT)

test: install ## every test: unit, API on SQLite and PostgreSQL, migrations, concurrency
	$(UV) run --frozen pytest -n $(PYTEST_WORKERS) --dist loadgroup -q

lint: install ## ruff (lint + format check) and the import-linter layering contracts
	$(UV) run --frozen ruff check src tests
	$(UV) run --frozen ruff format --check src tests
	$(UV) run --frozen lint-imports

format: install
	$(UV) run --frozen ruff format src tests
	$(UV) run --frozen ruff check --fix src tests

clean:
	rm -rf .venv var .pytest_cache .ruff_cache
