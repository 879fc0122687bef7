# Each target sets itself up from a fresh clone: a virtualenv in .venv with what it needs.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: demo test bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# The stamp files remember which extras are installed, and are redone when pyproject.toml changes.
$(VENV)/.demo-installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[plot,data,io,viz]"
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test,plot,data,io,viz]"
	touch $@ $(VENV)/.demo-installed

demo: $(VENV)/.demo-installed
	$(PY) -m tinygrad_edu demo

test: $(VENV)/.test-installed
	$(PY) -m pytest -n auto -q

bench: $(VENV)/.test-installed
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
