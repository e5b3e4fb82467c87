# Multilingual newsroom CMS. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
UV_VERSION := 0.13.8
# `make soak`: examples per fuzz test (hypothesis/schemathesis; the default run uses 25–300).
CMS_FUZZ_EXAMPLES ?= 1000

.PHONY: help run setup setup-production test lint check-static test-python messages fonts lock clean \
	prod-local load soak audit

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed-%: requirements/base.txt requirements/dev.txt
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	@[ -x $(BIN)/uv ] || $(BIN)/python -m pip install -q "uv==$(UV_VERSION)"
	@if [ "$*" = "dev" ]; then \
	  $(BIN)/uv pip install -q --require-hashes -p $(BIN)/python -r requirements/base.txt -r requirements/dev.txt; \
	else \
	  $(BIN)/uv pip install -q --require-hashes -p $(BIN)/python -r requirements/base.txt; \
	fi
	@touch $@

messages: ## Compile the gettext catalogs in locales/
	@$(MANAGE) compilemessages -i "$(VENV)" -v0

fonts: ## Subset the OS's Noto fonts into per-script web fonts
	@$(MANAGE) build_fonts -v0 >/dev/null

setup: ## Install everything `make run` needs (OS packages, venv, catalogs, fonts, database)
	@echo "[1/5] Debian packages (ffmpeg, espeak-ng, fonts, gettext)"
	@scripts/system-deps.sh run
	@echo "[2/5] Python environment in $(VENV)/ (locked, hashed requirements)"
	@$(MAKE) --no-print-directory $(VENV)/.installed-base
	@echo "[3/5] Translation catalogs and web fonts"
	@$(MAKE) --no-print-directory messages fonts
	@echo "[4/5] Database var/db.sqlite3"
	@mkdir -p var
	@$(MANAGE) migrate -v0
	@echo "[5/5] Demo content (sample media are generated into var/samples/ the first time)"
	@$(MANAGE) load_demo

setup-production: ## Production machine: venv from the locked requirements, catalogs, fonts (no database, no demo)
	@$(MAKE) --no-print-directory $(VENV)/.installed-base
	@$(MAKE) --no-print-directory messages fonts

run: setup ## Set up and start the site and a background worker on http://127.0.0.1:8000/
	@echo "Worker: manage.py db_worker (log in var/worker.log)"
	@$(MANAGE) db_worker --queue-name '*' --no-reload > var/worker.log 2>&1 & \
	  worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	  echo "Site: http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"; \
	  $(MANAGE) runserver $(HOST):$(PORT) --noreload

lint: ## ruff check + format check, mypy on typed packages, import contracts (pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

check-static: ## Django system checks, migrations and translation catalogs are up to date
	DJANGO_SETTINGS_MODULE=cms.settings.test $(MANAGE) check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=cms.settings.test $(MANAGE) makemigrations --check --dry-run -v1
	DJANGO_SETTINGS_MODULE=cms.settings.test $(MANAGE) check_catalogs

test: ## Install what tests need, start PostgreSQL, run lint, checks and every test
	@scripts/system-deps.sh test
	@$(MAKE) --no-print-directory $(VENV)/.installed-dev
	@npm ci --no-audit --no-fund --silent --prefix tests/browser
	@$(MAKE) --no-print-directory messages fonts
	@$(MAKE) --no-print-directory lint
	@url=$$(scripts/test-postgres.sh start | head -1); \
	  trap "scripts/test-postgres.sh stop" EXIT; \
	  export DATABASE_URL=$$url; \
	  $(MAKE) --no-print-directory check-static && \
	  $(BIN)/pytest $(PYTEST_ARGS)

prod-local: ## Production setup on loopback (PostgreSQL, S3, gunicorn, nginx+TLS, 2 workers) until Ctrl-C
	@scripts/system-deps.sh test
	@$(MAKE) --no-print-directory $(VENV)/.installed-dev
	@$(MAKE) --no-print-directory messages fonts
	$(BIN)/python -m scripts.prod_local $(PROD_LOCAL_ARGS)

load: ## Load test of the production setup: public site, 300 stations, editor, 2 workers transcoding
	@scripts/system-deps.sh test
	@$(MAKE) --no-print-directory $(VENV)/.installed-dev
	@$(MAKE) --no-print-directory messages fonts
	$(BIN)/python -u -m benchmarks.load_production --full $(LOAD_ARGS)

soak: ## The long part: `make load`, then the fuzz tests with CMS_FUZZ_EXAMPLES (1000) examples each
	@$(MAKE) --no-print-directory load
	@url=$$(scripts/test-postgres.sh start | head -1); \
	  trap "scripts/test-postgres.sh stop" EXIT; \
	  export DATABASE_URL=$$url CMS_FUZZ_EXAMPLES=$(CMS_FUZZ_EXAMPLES); \
	  $(BIN)/pytest -p no:cacheprovider tests/media_pipeline/test_fuzz_uploads.py \
	    tests/cms/test_api_schema_fuzz.py tests/cms/archive/test_oai_fuzz.py \
	    tests/cms/integrity/test_state_machine.py tests/cms/integrity/test_package_formats.py $(PYTEST_ARGS)

audit: ## Check the locked dependencies for known vulnerabilities (pip-audit; needs its online database)
	@$(MAKE) --no-print-directory $(VENV)/.installed-dev
	$(BIN)/uv tool run --from "pip-audit==2.10.1" pip-audit --strict --require-hashes --disable-pip \
	  -r requirements/base.txt -r requirements/dev.txt

lock: ## Re-resolve requirements/*.in into the hashed lock files
	$(BIN)/uv pip compile requirements/base.in -o requirements/base.txt --python-version 3.11 --generate-hashes -q
	$(BIN)/uv pip compile requirements/dev.in -o requirements/dev.txt --python-version 3.11 --generate-hashes -q

clean: ## Remove the local database, media and built fonts (keeps the venv)
	rm -rf var static/fonts

makemessages: ## Extract source strings into every catalog in locales/
	$(MANAGE) makemessages -a --add-location=file -i "$(VENV)/*" -i "var/*" -i "media_pipeline/*" -i "tests/*" -i "benchmarks/*" -i "static/*"
