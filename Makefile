# badgeservice: `make run` serves on http://localhost:8000, `make test` runs every suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements/lock.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format lock migrate clean system-deps

$(STAMP): pyproject.toml requirements/lock.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

# The public origin follows PORT unless BADGESERVICE_BASE_URL is set (credential URLs and
# did:web identifiers derive from it).
BADGESERVICE_BASE_URL ?= http://localhost:$(PORT)

run: $(STAMP)  ## create the environment, migrate the database, start the server
	$(BIN)/badgeservice db upgrade
	@echo "Serving $(BADGESERVICE_BASE_URL): open $(BADGESERVICE_BASE_URL)/ (verify page, API docs at /docs)"
	BADGESERVICE_BASE_URL=$(BADGESERVICE_BASE_URL) $(BIN)/badgeservice serve --host $(HOST) --port $(PORT)

# The suite runs in parallel (pytest-xdist), one worker per CPU, each test file on one worker
# (its module fixtures start once); PYTEST_WORKERS=0 runs it in this process.
PYTEST_WORKERS ?= auto

test: $(STAMP)  ## create/update the environment and run the whole suite
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(STAMP)  ## ruff, formatting, mypy, import-linter layer contracts
	$(BIN)/ruff check src tests migrations bench scripts
	$(BIN)/ruff format --check src tests migrations bench scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix src tests migrations bench scripts
	$(BIN)/ruff format src tests migrations bench scripts

lock: $(STAMP)  ## re-pin every dependency after editing pyproject.toml
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-header -o requirements/lock.txt pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-header -o requirements/runtime.txt pyproject.toml

migrate: $(STAMP)
	$(BIN)/badgeservice db upgrade

SYSTEM_PACKAGES := chromium fonts-noto-cjk curl jq

system-deps:  ## Debian packages for the browser tests and the README tour test (needs root): Chromium, CJK fonts, curl, jq
	@if dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1; then echo "system packages present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); \
	else echo "install Debian's $(SYSTEM_PACKAGES) to run tests/e2e (they skip without it)"; fi

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
