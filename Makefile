# Kumoben: `make run` serves a class, `make dev` serves a developer, `make test` runs every test.
# Each bootstraps what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
# `make run` listens on every address (phones on the LAN join); `make dev` on this machine only.
HOST ?=
PORT ?= 8000
PYTEST := $(PY) -m pytest

.PHONY: run dev test lint format bootstrap graphviz browser-deps messages bench simulate help

help:
	@echo "make run    - set up what is missing, migrate SQLite, serve a class on http://0.0.0.0:$(PORT)/ (debug off)"
	@echo "make dev    - the same with debug and auto-reload, on http://127.0.0.1:$(PORT)/"
	@echo "make test   - set up what is missing (incl. Chromium), lint, then unit, WebSocket, browser and integration tests"
	@echo "make lint   - ruff (lint + format check) and mypy strict for patterns/sim"
	@echo "make bench  - run the benchmarks in bench/"
	@echo "make simulate ARGS='kill-task --compare' - run the simulation CLI"

# --- bootstrap -------------------------------------------------------------------------------
$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Kumoben needs Python 3.10 or newer; $(PYTHON) is " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

bootstrap: $(STAMP) graphviz

# Debian packages are installed with apt-get when it is there; otherwise we say what to install.
APT := $(shell if [ "$$(id -u)" = 0 ]; then echo apt-get; elif command -v sudo >/dev/null 2>&1; then echo "sudo apt-get"; fi)
APT_INSTALL = if command -v apt-get >/dev/null 2>&1 && [ -n "$(APT)" ]; then \
		echo "Installing Debian packages: $$pkgs"; \
		$(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq $$pkgs >/dev/null; \
	else \
		echo "Missing system packages. Please install: $$pkgs (Debian/Ubuntu: apt-get install $$pkgs)"; \
		exit 1; \
	fi

# graphviz draws the diagrams; gettext's msgfmt lets the tests check the committed .mo against the .po.
graphviz:
	@command -v dot >/dev/null 2>&1 || { pkgs="graphviz"; $(APT_INSTALL); }
	@command -v msgfmt >/dev/null 2>&1 || { pkgs="gettext"; $(APT_INSTALL); }

browser-deps:
	@{ test -x /usr/bin/chromium && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" && \
		fc-list 2>/dev/null | grep -qi "Noto Color Emoji"; } || \
		{ pkgs="chromium fonts-noto-cjk fonts-noto-color-emoji"; $(APT_INSTALL); }

# --- serve -----------------------------------------------------------------------------------
# Classroom mode: debug off (no traceback page reaches anyone), plain HTTP on the LAN, a key kept
# in var/secret_key, static files collected and served by WhiteNoise. See README "Running a class".
run: export KUMOBEN_CLASSROOM ?= 1
run: export KUMOBEN_DEBUG = 0
run: bootstrap
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	@echo ""
	@echo "  Kumoben is serving a class (HTTP and WebSocket, daphne; Ctrl-C stops it):"
	@$(PY) -m kumoben.lan $(PORT) $(or $(HOST),0.0.0.0)
	@echo ""
	exec $(VENV)/bin/daphne -b $(or $(HOST),0.0.0.0) -p $(PORT) kumoben.asgi:application

dev: bootstrap
	KUMOBEN_DEBUG=1 $(PY) manage.py migrate --noinput -v0
	@echo ""
	@echo "  Kumoben (debug, auto-reload) at http://$(or $(HOST),127.0.0.1):$(PORT)/  (Ctrl-C stops it)"
	@echo ""
	KUMOBEN_DEBUG=1 exec $(PY) manage.py runserver $(or $(HOST),127.0.0.1):$(PORT)

# --- checks ----------------------------------------------------------------------------------
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Browser tests use Playwright's sync API, which must not share a process with pytest-asyncio's
# event loops, so they run in their own pytest invocation.
# Unit tests run on two workers (pytest-xdist; TEST_WORKERS=0 runs them in one process). Browser
# tests stay in one process: several of them time a live stream against the page's clock.
TEST_WORKERS ?= 2
test: bootstrap browser-deps lint
	$(PYTEST) -n $(TEST_WORKERS) -m "not browser and not integration"
	$(PYTEST) -m browser tests/browser
	$(PYTEST) -m integration tests/integration

messages: $(STAMP)
	KUMOBEN_DEBUG=1 $(PY) manage.py makemessages -l ja --ignore=.venv --ignore=static/vendor
	KUMOBEN_DEBUG=1 $(PY) manage.py compilemessages -l ja --ignore=.venv

simulate: $(STAMP)
	KUMOBEN_DEBUG=1 $(PY) manage.py simulate $(ARGS)

BENCHMARKS := sim_bench diagram_bench page_bench lesson_bench frame_bench stream_bench sessions_bench

bench: bootstrap browser-deps
	@for name in $(BENCHMARKS); do echo "== bench/$$name.py"; $(PY) bench/$$name.py || exit 1; done
