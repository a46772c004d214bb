# kpiboard developer entry points. `make demo` and `make test` are the two commands in README.md.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: setup assets wheel wheel-smoke demo report test test-sqlite test-postgres lint bench bench-web clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

## Build the web application's stylesheet, scripts and images from GOV.UK Frontend (the same
## recipe the wheel build runs: tools/build_assets.py); only when a source is newer.
assets: node_modules/.installed
	$(PYTHON) tools/build_assets.py --if-stale

## A wheel (and sdist) in dist/, assets included; then install it in a clean venv and check that the
## demo site serves its pages and stylesheet (tools/wheel_smoke.py).
wheel: $(VENV)/.installed
	rm -rf dist
	$(PY) -m build --outdir dist . >/dev/null
	@ls dist

wheel-smoke: wheel
	$(PYTHON) tools/wheel_smoke.py dist/*.whl

setup: $(VENV)/.installed assets

## Set everything up, build the demo committee report (out/demo/report.html and .pdf), then start
## the web application on a fresh SQLite database with the demo loaded (prints the address and an
## administrator's login; Ctrl+C stops it).
demo: report
	$(VENV)/bin/kpiboard serve --demo

## Only the demo committee report, HTML and PDF, into out/demo.
report: setup
	rm -rf out/demo
	$(VENV)/bin/kpiboard demo out/demo --report

## Lint, then run the whole test suite on SQLite and again on PostgreSQL (browser tests need
## Debian's chromium: apt-get install chromium). PYTEST_ARGS passes options to both runs. The two
## runs share nothing (each has its own database), so they run side by side, one core each; each
## run's output is printed whole when it ends.
test: lint
	$(MAKE) -j2 --output-sync=target test-sqlite test-postgres

## The whole suite on SQLite (the default database; pytest-django keeps the test database in memory).
test-sqlite: setup node_modules/.installed
	env -u DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS)

## The suite on PostgreSQL, without the tests that never touch a database (tests/core,
## tests/packs, tests/report: pure Python, already run once) or go through a browser (they drive
## the same pages; what differs between the databases, such as locks, transactions, COPY and NUL
## bytes, is tested below the browser). pytest-django creates and drops test_<name>.
## PostgreSQL not reachable: a failure in CI (CI=true), a skip with a message anywhere else.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/kpiboard
test-postgres: setup node_modules/.installed
	@if $(PY) -c "import sys, psycopg; from kpiboard.web.env import database_from_url as d; \
	c = d(sys.argv[1]); psycopg.connect(dbname='postgres', user=c['USER'], password=c['PASSWORD'], \
	host=c['HOST'], port=c['PORT'] or 5432, connect_timeout=5).close()" '$(TEST_DATABASE_URL)' \
	2>/dev/null; then \
		echo "Running the test suite on PostgreSQL ($(TEST_DATABASE_URL))"; \
		DATABASE_URL='$(TEST_DATABASE_URL)' $(PY) -m pytest -m "not browser" \
			--ignore=tests/core --ignore=tests/packs --ignore=tests/report $(PYTEST_ARGS); \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "PostgreSQL is not reachable at $(TEST_DATABASE_URL); CI needs it." >&2; exit 1; \
	else \
		echo "SKIPPED the PostgreSQL run: nothing answers at $(TEST_DATABASE_URL)."; \
		echo "  Start PostgreSQL (e.g. pg_ctlcluster 15 main start), or point TEST_DATABASE_URL"; \
		echo "  at a server where you may create databases, then run: make test-postgres"; \
	fi

## Ruff, then mypy over the whole package with django-stubs ([tool.mypy] in pyproject.toml; its
## incremental cache keeps a second run to a few seconds).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: setup
	$(PY) bench/bench_rating.py
	$(PY) bench/bench_spc.py
	$(PY) bench/bench_report.py

## The web application under load through gunicorn (add BENCH_ARGS=--postgres for PostgreSQL too).
bench-web: setup
	$(PY) bench/bench_web.py $(BENCH_ARGS)

clean:
	rm -rf out .pytest_cache .ruff_cache
