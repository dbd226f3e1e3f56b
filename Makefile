# Two commands on a fresh machine: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)/lambda

.PHONY: run test chat models package bench clean

$(VENV)/.installed: lambda/requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The local web service on the embedded store (no AWS account needed).
run: $(VENV)/.installed
	$(PY) -m laser_recovery.web

test: $(VENV)/.installed
	$(PY) -m pytest -q tests

# Figures and ratios against a hello-world skill measured in the same run.
bench: $(VENV)/.installed
	$(PY) benchmarks/bench_skill.py

# The ASK CLI reads the model from skill-package/; interaction_models/ is the one source.
models:
	cp interaction_models/*.json skill-package/interactionModels/custom/

clean:
	rm -rf $(VENV) build .pytest_cache
