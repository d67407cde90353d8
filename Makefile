# Fresh machine: only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup test demo sandbox bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

test: setup
	$(PY) -m pytest -q --durations=10 $(PYTEST_ARGS)

demo: setup
	$(PY) -m bench.demo $(if $(TLS),--tls)

sandbox: setup
	$(PY) -m sandbox --port 8765

clean:
	rm -rf $(VENV) instance .pytest_cache
