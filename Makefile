# Fresh machine: only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The portal app's front end (Node 20 + npm): built into placement_ui/static/dist/ when its sources change.
FRONT       := placement_ui/frontend
FRONT_DIST  := placement_ui/static/dist
FRONT_STAMP := $(FRONT_DIST)/.built
FRONT_SRC   := $(shell find $(FRONT)/src -type f 2>/dev/null) $(wildcard $(FRONT)/*.json $(FRONT)/*.ts)

.PHONY: setup test demo sandbox bench clean frontend screenshots

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(FRONT)/node_modules/.package-lock.json: $(FRONT)/package-lock.json
	cd $(FRONT) && npm ci --no-audit --no-fund

$(FRONT_STAMP): $(FRONT)/node_modules/.package-lock.json $(FRONT_SRC)
	cd $(FRONT) && npx vite build
	touch $(FRONT_STAMP)

frontend: $(FRONT_STAMP)

setup: $(STAMP) $(FRONT_STAMP)

# one test process per core plus one (pytest-xdist): much of the suite waits (the chaos test on the portal's rate
# limit, browser flows on Chromium), and the extra process fills those gaps. Each file stays in one process, so
# module fixtures are shared; files go out heaviest first (tests/conftest.py orders them), not reordered by xdist
TEST_JOBS ?= $(shell echo $$(( $$(nproc) + 1 )))
test: setup
	$(PY) -m pytest -q -n $(TEST_JOBS) --dist loadfile --no-loadscope-reorder --durations=10 $(PYTEST_ARGS)

screenshots: setup
	SCREENSHOT_DIR=docs/screenshots BROWSER_TESTS_REQUIRED=1 $(PY) -m pytest -q -n $(TEST_JOBS) tests/browser -k screen

demo: setup
	$(PY) -m bench.demo $(if $(TLS),--tls)

sandbox: setup
	$(PY) -m sandbox --port 8765

clean:
	rm -rf $(VENV) instance .pytest_cache $(FRONT_DIST) $(FRONT)/node_modules
