# Each target sets itself up from a fresh clone: a virtualenv in .venv with what it needs.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: demo test bench docs docs-images notebooks exercises clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# The stamp files remember which extras are installed, and are redone when pyproject.toml changes.
# The demo's extras are what `tinygrad-edu demo` uses: safetensors, matplotlib and tqdm, graphviz.
$(VENV)/.demo-installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[io,plot,viz]"
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.demo-installed $(VENV)/.notebook-installed

$(VENV)/.notebook-installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[notebook,examples]"
	touch $@

demo: $(VENV)/.demo-installed
	$(PY) -m tinygrad_edu demo

# pytest-xdist already runs one worker per core, so each worker's BLAS gets one thread
# (more would fight over the same cores and make small matrix products far slower).
test: $(VENV)/.test-installed
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) -m pytest -n auto -q

# ROUNDS: how often the whole sequence runs; a ratio counts as settled when 3 or more rounds agree.
ROUNDS ?= 3
bench: $(VENV)/.test-installed
	$(PY) -m benchmarks.run --rounds $(ROUNDS)

# Your answers to exercises/ checked against PyTorch, one line per exercise: pass, to do or FAIL
# (exercises/README.md). EXERCISES_SOLUTIONS=1 checks the reference solutions instead.
exercises: $(VENV)/.test-installed
	$(PY) -m exercises

# docs/ops.md is the op registry's table (tests/test_op_registry.py checks that it is current).
docs: $(VENV)/.demo-installed
	$(PY) -c "import tinygrad_edu.ops.registry as r, tinygrad_edu; open('docs/ops.md', 'w').write(r.ops_page())"

# docs/img from the examples that make the pictures (docs/img/sources.json says which; full runs,
# a few minutes). Only some: make docs-images IMAGES="07-graph.svg 10-conv1-kernels.png"
docs-images: $(VENV)/.demo-installed
	$(PY) tools/docs_images.py $(IMAGES)

# notebooks/NN-name.ipynb from each tutorial chapter (made, never edited: git-ignored)
notebooks: $(VENV)/.notebook-installed
	$(PY) tools/notebooks.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
