# Consult — run `make help` for the list of targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py

.DEFAULT_GOAL := help

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3

# requirements.lock pins every package, dependencies of dependencies included, with hashes;
# pip refuses anything else. Packages no longer in the lock are removed, so .venv holds
# exactly what it lists. The project itself is installed without build isolation: its build
# backend (setuptools) comes from the lock too.
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements.lock
	@$(BIN)/pip freeze --exclude-editable | sed 's/[=@ ].*//' | tr 'A-Z_.' 'a-z--' | sort >$(VENV)/.present
	@sed -n 's/^\([A-Za-z0-9][A-Za-z0-9._-]*\)==.*/\1/p' requirements.lock | tr 'A-Z_.' 'a-z--' | sort >$(VENV)/.locked
	@stale=$$(comm -23 $(VENV)/.present $(VENV)/.locked); \
	rm -f $(VENV)/.present $(VENV)/.locked; \
	if [ -n "$$stale" ]; then echo "Removing packages no longer locked:" $$stale; \
	$(BIN)/pip uninstall --quiet --yes $$stale; fi
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/pip check
	touch $@

.PHONY: install
install: $(VENV)/.installed ## Create .venv and install exactly what requirements.lock lists

# pip-tools runs from a throwaway virtual environment: it is not a dependency of Consult.
PIP_TOOLS := pip-tools==7.6.2

.PHONY: lock
lock: ## Re-resolve requirements.lock from pyproject.toml (LOCK_ARGS=--upgrade for newer releases)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp" && \
	"$$tmp/bin/python" -m pip install --quiet pip==25.3 $(PIP_TOOLS) && \
	CUSTOM_COMPILE_COMMAND="make lock" "$$tmp/bin/pip-compile" --quiet --generate-hashes \
		--allow-unsafe --all-build-deps --strip-extras --extra dev \
		--no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
		$(LOCK_ARGS) --output-file requirements.lock pyproject.toml

# The fonts embedded in the summaries' PDFs (Noto Sans, Noto Sans Arabic) and axe-core for
# the browser tests' accessibility checks, pinned in package-lock.json.
node_modules/.installed: package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: PDFs use the system's fonts; browser tests will be skipped (set REQUIRE_BROWSER=1 to fail instead)"; \
	fi

.PHONY: translations
translations: $(VENV)/.installed ## Compile the message catalogues
	@$(BIN)/pybabel compile --use-fuzzy -d consult/translations >/dev/null

.PHONY: migrate
migrate: install translations ## Apply the database migrations
	$(BIN)/flask db upgrade

.PHONY: run
run: migrate node_modules/.installed ## Set up, load demonstration data when empty, serve on http://127.0.0.1:5000
	$(BIN)/flask demo-data --if-empty
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# One pytest-xdist worker per core, each with its own database (see tests/conftest.py);
# the browser tests share one worker, which mostly waits on Chromium.
PYTEST_WORKERS ?= auto

.PHONY: test
test: install translations node_modules/.installed ## Set up, then run the whole test suite
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

.PHONY: check-migrations
check-migrations: install ## Fail when the models and the migrations disagree
	$(BIN)/python -m pytest tests/test_migrations.py

.PHONY: lint
lint: install ## Lint with ruff; check the layer contracts and types (settings in pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

.PHONY: fmt
fmt: install ## Format with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

.PHONY: extract-messages
extract-messages: install ## Refresh the message catalogue template from the sources
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o consult/translations/messages.pot --ignore-dirs='.venv .git instance' .
	$(BIN)/pybabel update -i consult/translations/messages.pot -d consult/translations

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'
