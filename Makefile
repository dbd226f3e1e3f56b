# Two commands on a fresh machine: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)/lambda

.PHONY: run run-dynamodb test lint fuzz mutate jdk chat models pictures package bench load deploy teardown clean

# The oldest Python the skill runs on (README): checked before a minute of installing.
$(VENV)/.installed: lambda/requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "laser-recovery needs Python 3.11 or newer, and $(PYTHON) is $$($(PYTHON) -V 2>&1 || echo missing); set PYTHON=python3.11 or newer" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The local web service on the embedded store (no AWS account needed).
run: $(VENV)/.installed
	$(PY) -m laser_recovery.web

# Talk to the skill in a terminal, e.g. make chat ARGS="--today 2026-11-24 --time-zone Europe/London"
chat: $(VENV)/.installed
	$(PY) -m laser_recovery.console $(ARGS)

# The same service on DynamoDB Local (in memory) instead of the SQLite file.
run-dynamodb: $(VENV)/.installed jdk
	$(PY) -m tests.dynamodb_local

test: $(VENV)/.installed jdk lint
	$(VENV)/bin/cfn-lint template.yaml
	$(PY) -m pytest -q tests

# The committed lint and type settings (pyproject.toml).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check lambda tests benchmarks voice deploy
	$(VENV)/bin/ruff format --check lambda tests benchmarks voice deploy
	$(VENV)/bin/mypy

# The conversation oracle at length (50,000 random conversations), then 100,000 hostile
# envelopes, each split over the machine's cores with a seed per process. `make test` runs
# 2,000 conversations and 3,000 envelopes.
FUZZ_CONVERSATIONS ?= 50000
FUZZ_ENVELOPES ?= 100000
FUZZ_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
fuzz: $(VENV)/.installed
	@mkdir -p build; echo "oracle: $(FUZZ_CONVERSATIONS) conversations, then $(FUZZ_ENVELOPES) envelopes, in $(FUZZ_JOBS) processes"
	@status=0; for suite in oracle envelopes; do pids=""; for job in $$(seq 1 $(FUZZ_JOBS)); do \
	  ORACLE_CONVERSATIONS=$$(( $(FUZZ_CONVERSATIONS) / $(FUZZ_JOBS) )) \
	  ENVELOPE_EXAMPLES=$$(( $(FUZZ_ENVELOPES) / $(FUZZ_JOBS) )) \
	    $(PY) -m pytest -q tests/test_$$suite.py --hypothesis-seed=$$job$$(date +%s) \
	    > build/fuzz-$$suite-$$job.log 2>&1 & pids="$$pids $$!"; done; \
	  for pid in $$pids; do wait $$pid || status=1; done; done; \
	tail -n 3 build/fuzz-*.log; exit $$status

# Mutation testing of the core (not in `make test` or CI): mutmut mutates the rules, dates,
# answers and words ([tool.mutmut] in pyproject.toml) and runs the fast core tests against
# each mutant, in MUTATE_JOBS processes. mutmut names a module after its path from ./ or
# src/, so it runs on a flat copy of the skill in build/mutate (laser_recovery/ at the top).
# Fails when fewer than MUTATE_MIN percent of the mutants are killed.
MUTATE_JOBS ?= 2
MUTATE_MIN ?= 95
mutate: $(VENV)/.installed
	rm -rf build/mutate && mkdir -p build/mutate
	cp -R lambda/laser_recovery lambda/lambda_function.py tests pyproject.toml build/mutate/
	ln -s ../../interaction_models build/mutate/interaction_models
	find build/mutate -name __pycache__ -prune -exec rm -rf {} +
	cd build/mutate && PYTHONPATH= ../../$(PY) -m mutmut run --max-children $(MUTATE_JOBS) > mutmut.log 2>&1 \
	  || { tail -n 40 mutmut.log; exit 1; }
	cd build/mutate && ../../$(PY) -m mutmut results && ../../$(PY) -m mutmut export-cicd-stats > /dev/null
	@$(PY) -c 'import json, sys; s = json.load(open("build/mutate/mutants/mutmut-cicd-stats.json")); \
	  rate = 100 * s["killed"] / s["total"]; \
	  print("mutants: {total} killed: {killed} survived: {survived} no_tests: {no_tests} timeout: {timeout}" \
	        .format(**s), f"killed_percent: {rate:.1f}"); sys.exit(rate < $(MUTATE_MIN))'

# DynamoDB Local (started by the tests) needs Java, and its loopback launcher is run from
# source, which needs the JDK's compiler. Installed with apt only when missing (CI is root).
jdk:
	@java --list-modules 2>/dev/null | grep -q '^jdk.compiler@' || \
	  { apt-get update && apt-get install -y --no-install-recommends default-jdk-headless; }

# build/lambda.zip, what `make deploy` uploads: pinned wheels for the function's platform (arm64,
# CPython 3.13), the skill's sources, byte-compiled by a 3.13 interpreter when there is one
# (bytecode from any other version would be ignored by the runtime).
# Left out, as the function never loads them (README, "Deploying"): botocore's models of every
# AWS service but DynamoDB's (71% of the zip; a client loads its own service's model only),
# boto3's resource models, and requests with its encoding packages, which ask-sdk-core
# requires only for the DefaultApiClient the skill replaces (laser_recovery/alexa_api.py).
LAMBDA_PYTHON ?= python3.13
LAMBDA_UNUSED := bin boto3/data requests requests-*.dist-info idna idna-*.dist-info \
  charset_normalizer charset_normalizer-*.dist-info
package: $(VENV)/.installed
	rm -rf build/lambda build/lambda.zip
	$(PY) -m pip install --quiet --disable-pip-version-check --target build/lambda \
	  --platform manylinux2014_aarch64 --implementation cp --python-version 3.13 \
	  --only-binary=:all: -r lambda/requirements.txt
	cp -R lambda/lambda_function.py lambda/laser_recovery build/lambda/
	# The web service and the console run on laptops, never on Lambda.
	rm -rf build/lambda/laser_recovery/web build/lambda/laser_recovery/console
	# JSON copies of the content files, read instead of parsing TOML on a cold start.
	$(PY) -m laser_recovery.contentfile build/lambda/laser_recovery/content
	cd build/lambda && rm -rf $(LAMBDA_UNUSED)
	# Of botocore's models: its own files (endpoints, partitions, retry and default settings)
	# and DynamoDB's current API version.
	find build/lambda/botocore/data -mindepth 1 -maxdepth 1 -type d ! -name dynamodb -exec rm -rf {} +
	cd build/lambda/botocore/data/dynamodb && ls | sort | head -n -1 | xargs -r rm -rf
	# Every new client parses endpoints.json (1.3 MB, 1,100 services): DynamoDB's entries in
	# each partition are all it reads. Its models unpacked: botocore then reads them directly.
	$(PY) -c 'import json, sys; d = json.load(open(sys.argv[1])); \
	  [p.update(services={k: v for k, v in p["services"].items() if k == "dynamodb"}) for p in d["partitions"]]; \
	  json.dump(d, open(sys.argv[1], "w"), separators=(",", ":"))' build/lambda/botocore/data/endpoints.json
	find build/lambda/botocore/data/dynamodb -name '*.json.gz' -exec gzip -d {} +
	find build/lambda -name __pycache__ -prune -exec rm -rf {} +
	@if $(LAMBDA_PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null; then \
	  $(LAMBDA_PYTHON) -W ignore::SyntaxWarning -m compileall -q \
	    --invalidation-mode unchecked-hash build/lambda; \
	else echo "note: $(LAMBDA_PYTHON) not found, zip not byte-compiled (set LAMBDA_PYTHON=...)"; fi
	cd build/lambda && ../../$(PY) -m zipfile -c ../lambda.zip $$(ls -A)
	@echo "built build/lambda.zip"

# Figures and ratios against baselines measured in the same run (README, Benchmarks): the zip
# is measured too, so it is built first; DynamoDB Local needs Java, as for the tests.
bench: package jdk
	$(PY) benchmarks/bench_skill.py

# The web service under 50 concurrent clients on the SQLite store, over loopback: errors, lost
# writes, p50/p99. Bounded (5,000 requests) and not part of `make test`.
load: $(VENV)/.installed
	$(PY) benchmarks/load.py

# The ASK CLI reads the model from skill-package/; interaction_models/ is the one source.
# The voice models (interaction_models/ and the ASK CLI copy) from the grammars in voice/.
models: $(VENV)/.installed
	$(PY) -m voice

# The Echo Show screens, drawn from real turns by the HTML stand-in in headless Chromium, into
# docs/screens/ (not in `make test`: the pictures are committed; Debian: apt-get install chromium).
pictures: $(VENV)/.installed
	$(PY) -m tests.support.apl_pictures

# The skill, its function and its table in an AWS account, from zero, with the ASK CLI
# (pinned; run by npx) and its CloudFormation deployer (ask-resources.json): it creates the
# skill, builds the zip (hooks/build.sh runs `make package`), deploys template.yaml with the
# skill's id, writes the function's ARN into the manifest and deploys that again. Needs
# `ask configure` once (README, Deploying from zero).
ASK_CLI ?= npx --yes ask-cli@2.30.7
deploy: $(VENV)/.installed models
	$(ASK_CLI) deploy
	@echo "skill id: $$($(PY) -m deploy skill-id)"

# Deletes the skill, the stack and the uploaded code; the table of treatment dates only with
# ERASE_PATIENT_DATA=yes (otherwise it is kept, and named).
teardown: $(VENV)/.installed
	$(PY) -m deploy teardown $(if $(filter yes,$(ERASE_PATIENT_DATA)),--erase-patient-data)

clean:
	rm -rf $(VENV) build .pytest_cache
