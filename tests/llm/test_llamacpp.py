"""The optional llama.cpp backend.

The first tests run everywhere. The last ones need ``llama-cpp-python``, which is not a
dependency (it compiles for minutes), so they are skipped where it is not installed,
CI included; install it (see the README) to run them.
"""

from __future__ import annotations

import sys
from dataclasses import replace

import pytest

from trainer.llm import BackendError, GenerationParams, get_backend, llamacpp
from trainer.llm.llamacpp import LlamaCppBackend, llama_cpp_available

GREEDY = GenerationParams(max_new_tokens=24, temperature=0, timeout_s=120)
PROMPT = "Agent: Thank you for calling, how can I help?\nCustomer: My internet"


def test_without_llama_cpp_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import fails
    assert not llama_cpp_available()
    with pytest.raises(BackendError, match="pip install llama-cpp-python"):
        get_backend("llamacpp")


def test_a_missing_gguf_file_is_named(monkeypatch, tmp_path):
    monkeypatch.setattr(llamacpp, "llama_cpp_available", lambda: True)
    with pytest.raises(BackendError, match="No GGUF file at .*nothing.gguf"):
        LlamaCppBackend(str(tmp_path / "nothing.gguf"))


needs_llama_cpp = pytest.mark.skipif(
    not llama_cpp_available(), reason="llama-cpp-python is not installed (optional)"
)


@pytest.fixture(scope="module")
def backend() -> LlamaCppBackend:
    chosen = LlamaCppBackend(threads=1)
    chosen.warmup()
    return chosen


@needs_llama_cpp
def test_the_bundled_gguf_continues_text_and_cuts_stop_strings(backend):
    full = "".join(backend.stream_text(PROMPT, GREEDY))
    assert full.strip()
    words = full.split()
    assert len(words) >= 3, full
    stop = words[2]
    cut = "".join(backend.stream_text(PROMPT, replace(GREEDY, stop=(stop,))))
    assert cut == full[: full.index(stop)]


@needs_llama_cpp
def test_chat_replies_and_seeds_fix_the_sample(backend):
    messages = [
        {"role": "system", "content": "You are Derek, an angry customer."},
        {"role": "user", "content": "Hello, how can I help?"},
    ]
    params = GenerationParams(max_new_tokens=16, temperature=1.0, seed=7, timeout_s=120)
    first = "".join(backend.stream(messages, params))
    assert first.strip() and "<|im_end|>" not in first
    assert "".join(backend.stream(messages, params)) == first
