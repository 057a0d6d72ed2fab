"""llama.cpp: the ``llamacpp`` backend and the default engine of ``local`` on the CPU.

The first tests run everywhere. The others need ``llama-cpp-python``, which ``make``
builds (it compiles for minutes and may fail to build), so they are skipped where it
is not importable.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import replace

import pytest

from trainer.llm import BackendError, GenerationParams, get_backend, llamacpp, loaded
from trainer.llm.engines.bundled import find_gguf
from trainer.llm.llamacpp import LlamaCppBackend, llama_cpp_available
from trainer.llm.local import BUNDLED_ID, LocalBackend

GREEDY = GenerationParams(max_new_tokens=24, temperature=0, timeout_s=120)
PROMPT = "Agent: Thank you for calling, how can I help?\nCustomer: My internet"


def test_without_llama_cpp_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import fails
    assert not llama_cpp_available()
    with pytest.raises(BackendError, match="requirements-llamacpp.txt"):
        get_backend("llamacpp")


def test_without_llama_cpp_the_bundled_model_falls_back_to_transformers_with_a_warning(
    monkeypatch, caplog
):
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    monkeypatch.setattr(loaded, "_WARNED", [])
    monkeypatch.delenv("FRONTLINE_ENGINE", raising=False)
    with caplog.at_level(logging.WARNING, logger="trainer.llm.loaded"):
        backend = LocalBackend(device="cpu")
    assert backend.llama_cpp is None and backend.engine == "transformers"  # loaded on first use
    assert "requirements-llamacpp.txt" in caplog.text and "transformers" in caplog.text


def test_without_llama_cpp_a_gguf_model_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    gguf = tmp_path / "mine.gguf"
    gguf.write_bytes(b"GGUF")
    with pytest.raises(BackendError, match="requirements-llamacpp.txt"):
        LocalBackend(str(gguf), device="cpu")


def test_which_engine_runs_which_model(monkeypatch, tmp_path):
    monkeypatch.setattr(llamacpp, "llama_cpp_available", lambda: True)
    monkeypatch.delenv("FRONTLINE_ENGINE", raising=False)
    bundled = str(find_gguf().path)
    assert loaded.llama_cpp_gguf(None, "cpu", None) == bundled
    assert loaded.llama_cpp_gguf(None, "mps", None) == bundled  # Metal
    assert loaded.llama_cpp_gguf(None, "cuda", None) is None  # transformers on CUDA
    assert loaded.llama_cpp_gguf(None, "cpu", "transformers") is None
    assert loaded.llama_cpp_gguf("HuggingFaceTB/SmolLM2-360M", "cpu", None) is None
    assert loaded.llama_cpp_gguf(str(tmp_path), "cpu", None) is None  # a folder
    with pytest.raises(BackendError, match="No GGUF file at"):
        loaded.llama_cpp_gguf(str(tmp_path / "missing.gguf"), "cpu", None)
    with pytest.raises(BackendError, match="runs .gguf files"):
        loaded.llama_cpp_gguf("some/model", "cpu", "llamacpp")


@pytest.mark.parametrize("where", ["argument", "environment"])
def test_the_removed_llama_engine_is_a_clear_error(monkeypatch, where):
    monkeypatch.setattr(llamacpp, "llama_cpp_available", lambda: True)
    if where == "environment":
        monkeypatch.setenv("FRONTLINE_ENGINE", "llama")
    engine = "llama" if where == "argument" else None
    with pytest.raises(
        ValueError, match="'llama' engine .* was removed.*'llamacpp'.*'transformers'"
    ):
        LocalBackend(device="cpu", engine=engine)
    with pytest.raises(ValueError, match="was removed"):
        get_backend("local", device="cpu", engine=engine)


def test_an_unknown_engine_lists_the_engines(monkeypatch):
    monkeypatch.delenv("FRONTLINE_ENGINE", raising=False)
    with pytest.raises(ValueError, match="'vllm'; choose one of auto, llamacpp, transformers"):
        LocalBackend(device="cpu", engine="vllm")
    assert loaded.engine_name(" Transformers ") == "transformers"


def test_a_missing_gguf_file_is_named(monkeypatch, tmp_path):
    monkeypatch.setattr(llamacpp, "llama_cpp_available", lambda: True)
    with pytest.raises(BackendError, match="No GGUF file at .*nothing.gguf"):
        LlamaCppBackend(str(tmp_path / "nothing.gguf"))


needs_llama_cpp = pytest.mark.skipif(
    not llama_cpp_available(), reason="llama-cpp-python is not installed (optional)"
)


@needs_llama_cpp
def test_local_runs_the_bundled_gguf_and_a_gguf_path_on_llama_cpp(monkeypatch):
    monkeypatch.delenv("FRONTLINE_ENGINE", raising=False)
    default = get_backend("local", device="cpu")
    assert default.engine == "llamacpp" and default.model_id == BUNDLED_ID
    path = str(find_gguf().path)
    given = get_backend("local", model=path, device="cpu")
    assert given.engine == "llamacpp" and given.source == path
    reply = "".join(given.stream([{"role": "user", "content": "Hello?"}], GREEDY))
    assert reply.strip() and "<|im_" not in reply  # the GGUF's own chat template


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


@needs_llama_cpp
def test_prepare_then_reply_reads_only_the_rest_and_says_the_same(backend, monkeypatch):
    llm = backend._llama()[0]
    start = PROMPT.rsplit("Customer:", 1)[0]
    llm.reset()  # nothing of an earlier prompt left in the KV cache
    cold = "".join(backend.stream_text(PROMPT, GREEDY))
    llm.reset()
    backend.prepare(start)
    for done in llamacpp._READING.pending():
        assert done.wait(timeout=120)
    read: list[int] = []
    real = llm.eval
    monkeypatch.setattr(llm, "eval", lambda tokens: (read.append(len(tokens)), real(tokens))[1])
    warm = "".join(backend.stream_text(PROMPT, GREEDY))
    assert warm == cold
    whole = len(llm.tokenize(PROMPT.encode(), special=True))
    start_tokens = len(llm.tokenize(start.encode(), special=True))
    assert read[0] <= whole - start_tokens + 1  # the prompt's known start was not read again
