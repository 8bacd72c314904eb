# Run, test and check the platform. A fresh clone needs only make and Python 3.11+.
#   make run    demo platform, Celery worker + beat, console at http://127.0.0.1:8000/
#   make test   the whole test suite (PostgreSQL + Redis when DATABASE_URL/REDIS_URL set)
#   make lint   ruff check and format check
#   make bench  the benchmark scripts in bench/ (long)

SHELL := /bin/sh
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTHON_CANDIDATES := python3.14 python3.13 python3.12 python3.11 python3

# Settings read DATA_DIR from the environment too; both default to var/.
DATA_DIR ?= var
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_ARGS ?= --seed 7 --viewers 2000 --days 7
PYTEST_ARGS ?=

# Exit status 0 when the database already holds a platform, 3 when it holds none.
# The simulator's own test, so that make run and simulate agree on what "holds" means.
HAS_PLATFORM := import sys; from recengine.simulator.runner import platform_exists; \
	sys.exit(0 if platform_exists() else 3)

.PHONY: help venv run test lint bench

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

# The newest Python 3.11+ on PATH builds the virtual environment.
$(PY):
	@best=$$(for candidate in $(PYTHON_CANDIDATES); do \
	    command -v $$candidate >/dev/null 2>&1 || continue; \
	    $$candidate -c 'import sys; v = sys.version_info; \
	      v >= (3, 11) and print("%d.%03d %s" % (v[0], v[1], sys.executable))' 2>/dev/null; \
	  done | sort | tail -n 1 | cut -d' ' -f2-); \
	if [ -z "$$best" ]; then echo "Python 3.11 or newer is required." >&2; exit 1; fi; \
	echo "Creating $(VENV) with $$best"; \
	"$$best" -m venv $(VENV)

# Reinstall only when the declared dependencies change.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

venv: $(STAMP)

run: $(STAMP)
	@mkdir -p $(DATA_DIR)/broker/queue $(DATA_DIR)/broker/processed $(DATA_DIR)/broker/control
	$(PY) manage.py migrate --noinput
	@$(PY) manage.py shell --no-imports -v 0 -c "$(HAS_PLATFORM)"; status=$$?; \
	if [ $$status -eq 3 ]; then \
	  echo "Generating the demo platform ($(DEMO_ARGS))"; \
	  $(PY) manage.py simulate $(DEMO_ARGS) || exit 1; \
	elif [ $$status -ne 0 ]; then exit $$status; \
	else echo "The database already holds a platform; keeping it."; fi
	$(PY) manage.py setup_schedules
	$(PY) manage.py setup_audit_schedules
	$(PY) manage.py demo_accounts
	$(PY) manage.py train --unless-active --activate --actor admin \
	  --reason "first model of the demo platform"
	@$(VENV)/bin/celery -A console worker -B \
	  --scheduler django_celery_beat.schedulers:DatabaseScheduler \
	  --concurrency 1 --loglevel INFO >$(DATA_DIR)/celery.log 2>&1 & \
	worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	echo "Celery worker and beat: pid $$worker, log $(DATA_DIR)/celery.log"; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# pytest exits with 5 when it collected nothing: that is a failure, not a pass.
test: $(STAMP)
	@$(VENV)/bin/pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: no tests were collected" >&2; exit 1; fi; \
	exit $$status

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Scripts are the files of bench/ with a main guard; the others are helpers they load.
bench: $(STAMP)
	@scripts=$$(grep -l '^if __name__ == "__main__":' bench/*.py 2>/dev/null); \
	if [ -z "$$scripts" ]; then echo "make bench: no scripts in bench/" >&2; exit 1; fi; \
	for script in $$scripts; do \
	  echo "== $$script"; \
	  $(PY) "$$script" || exit 1; \
	done
