# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
DEV_ENV := DEBUG=1
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core chromium
NPM_STAMP := node_modules/.installed-$(shell cksum package-lock.json | cut -d' ' -f1)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test setup system-deps lint fixture bench lighthouse clean

## make run: set up, migrate, load the seed plan, create demo users, serve on 127.0.0.1:8000
run: setup
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py loaddata q1-2026 q1-2026-kits
	$(DEV_ENV) $(BIN)/python manage.py populate_history --auto
	$(DEV_ENV) $(BIN)/python manage.py create_demo_users
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

## make test: set up, then migrations check, ruff and every test (browser tests included).
## pytest's defaults (pyproject.toml) run one xdist worker per core; HYPOTHESIS_PROFILE=ci
## (as .ci/run sets it) runs the full Hypothesis example counts.
test: setup
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/pytest

setup: system-deps $(STAMP) $(NPM_STAMP)

## Test tools from npm (the OpenID Connect provider the sign-in tests run, the Nu Html
## Checker the valid-HTML test runs), exactly as locked.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "No /usr/bin/chromium: trying Playwright's own browser (needs internet)"; \
		$(BIN)/playwright install chromium || true; \
	fi
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## Debian/Ubuntu packages WeasyPrint, the browser tests and the sign-in tests (node) need;
## installed only if missing.
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if command -v apt-get >/dev/null; then \
			echo "Installing system packages:$$missing"; \
			$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
		else \
			echo "Please install:$$missing (see README, 'System packages')"; exit 1; \
		fi; \
	fi
	@# node and npm, by command: a machine may have them from elsewhere (nodesource, nvm).
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
		echo "Installing system packages: nodejs npm"; \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q nodejs npm; \
	fi
	@# java, by command (a machine may have another JDK), for the Nu Html Checker (vnu.jar).
	@if ! command -v java >/dev/null; then \
		echo "Installing system packages: default-jre-headless"; \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q default-jre-headless; \
	fi

lint: setup
	$(BIN)/ruff check .

## make bench: page, PDF and load benchmarks; results are printed and kept in bench/results/
bench: setup
	@command -v wrk >/dev/null || ($(SUDO) apt-get install -y -q wrk || echo "No wrk: the load test will be skipped")
	$(BIN)/python bench/run.py

## make lighthouse: Lighthouse scores of every page the crawl reaches (one per route), on gunicorn (docs/benchmarks.md, "Lighthouse")
lighthouse: setup
	$(BIN)/python -m bench.lighthouse --runs 1 --confirm-below 98

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles test-artifacts bench/results
