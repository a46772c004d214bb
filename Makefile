# kpiboard developer entry points. `make demo` and `make test` are the two commands in README.md.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: setup assets demo report test lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

STATIC := src/kpiboard/web/static/kpiboard
$(STATIC)/kpiboard.css: node_modules/.installed src/kpiboard/web/assets/*.scss
	npx sass --load-path=node_modules --no-source-map --style=compressed --quiet-deps \
		--silence-deprecation=import src/kpiboard/web/assets/kpiboard.scss $@
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(STATIC)/

## Build the web application's stylesheet and scripts from GOV.UK Frontend.
assets: $(STATIC)/kpiboard.css

setup: $(VENV)/.installed assets

## Build the demo pack and its committee report (HTML and PDF) into out/demo.
demo: setup
	rm -rf out/demo
	$(VENV)/bin/kpiboard demo out/demo --report

## Lint, then run the whole test suite (browser tests need Debian's chromium: apt-get install chromium).
test: setup node_modules/.installed lint
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: setup
	$(PY) bench/bench_rating.py
	$(PY) bench/bench_spc.py
	$(PY) bench/bench_report.py

clean:
	rm -rf out .pytest_cache .ruff_cache
