"""The small Llama engine against transformers' LlamaForCausalLM on the same weights.

A tiny random Llama (built here: grouped-query attention, untied head) checks the
forward pass in every shape it takes; the real bundled model checks the 4-bit weights
read from its GGUF and the engine choice.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from trainer.llm import BackendError, GenerationParams
from trainer.llm.engines import bundled, gguf_q4
from trainer.llm.engines.llama_engine import LlamaEngine, unsupported
from trainer.llm.loaded import choose_engine
from trainer.llm.local import LocalBackend


def _reference(folder: Path, ids: list[int], dtype: torch.dtype = torch.float32) -> torch.Tensor:
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype).eval()
    with torch.inference_mode():
        return model(input_ids=torch.tensor([ids])).logits[0].float()


def test_prompt_then_tokens_match_transformers(tiny):
    ids = [5, 17, 3, 88, 41, 2, 60, 9, 33, 71]
    ref = _reference(tiny, ids)
    engine = LlamaEngine(tiny, "float32")
    cache = engine.new_cache(len(ids))
    got = [engine.forward(ids[:4], cache)]  # a prompt: causal attention over 4 tokens
    got += [engine.forward([t], cache) for t in ids[4:]]  # then one token at a time
    assert cache.length == len(ids)
    torch.testing.assert_close(torch.stack(got), ref[3:], atol=1e-4, rtol=1e-4)


def test_a_second_prompt_after_cached_tokens_sees_them(tiny):
    ids = [7, 1, 50, 22, 90, 13, 4, 66]
    ref = _reference(tiny, ids)
    engine = LlamaEngine(tiny, "float32")
    cache = engine.new_cache(16)
    engine.forward(ids[:3], cache)
    torch.testing.assert_close(engine.forward(ids[3:], cache), ref[-1], atol=1e-4, rtol=1e-4)


def test_a_full_cache_is_a_clear_error(tiny):
    engine = LlamaEngine(tiny, "float32")
    cache = engine.new_cache(2)
    with pytest.raises(ValueError, match="holds 2 positions; 3 needed"):
        engine.forward([1, 2, 3], cache)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"model_type": "mistral"}, "is not 'llama'"),
        ({"rope_scaling": {"rope_type": "llama3", "factor": 8.0}}, "rope scaling"),
        ({"attention_bias": True}, "bias"),
        ({"hidden_act": "gelu"}, "activation"),
    ],
)
def test_architectures_it_cannot_run_are_named(tiny, tmp_path, change, reason):
    assert unsupported(tiny) is None
    for item in tiny.iterdir():
        (tmp_path / item.name).write_bytes(item.read_bytes())
    config = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**config, **change}))
    assert reason in (unsupported(tmp_path) or "")
    assert choose_engine(str(tmp_path), "cpu") == "transformers"
    with pytest.raises(ValueError, match=reason):
        LlamaEngine(tmp_path)


def test_a_missing_weight_is_named(tiny, tmp_path):
    from safetensors.torch import load_file, save_file

    for item in tiny.iterdir():
        (tmp_path / item.name).write_bytes(item.read_bytes())
    weights = load_file(str(tmp_path / "model.safetensors"))
    del weights["lm_head.weight"]  # the config says the head is not tied to the embedding
    save_file(weights, str(tmp_path / "model.safetensors"))
    with pytest.raises(ValueError, match="no 'lm_head.weight'"):
        LlamaEngine(tmp_path)
    with pytest.raises(BackendError, match="Could not load model.*lm_head"):
        LocalBackend(str(tmp_path), engine="llama").warmup()


def test_damaged_weight_files_are_named_or_skipped(tiny, tmp_path, caplog):
    for item in tiny.iterdir():
        (tmp_path / item.name).write_bytes(item.read_bytes())
    (tmp_path / "q4.safetensors").write_bytes(b"not a safetensors file")
    engine = LlamaEngine(tmp_path, "float32", q4=tmp_path / "q4.safetensors")
    assert not engine.decodes_4bit  # decodes dense, with a warning
    assert "decoding with dense weights" in caplog.text
    (tmp_path / "model.safetensors").write_bytes(b"truncated")
    with pytest.raises(ValueError, match="cannot read .*model.safetensors.*delete the folder"):
        LlamaEngine(tmp_path, "float32")


def test_the_engine_is_chosen_where_it_applies(tiny, monkeypatch):
    monkeypatch.delenv("FRONTLINE_ENGINE", raising=False)
    assert choose_engine(str(tiny), "cpu") == "transformers"  # no tokenizer.json
    (tiny / "tokenizer.json").write_text("{}")
    assert choose_engine(str(tiny), "cpu") == "llama"
    (tiny / "tokenizer.json").unlink()
    assert choose_engine(str(tiny), "cuda") == "transformers"
    assert choose_engine("HuggingFaceTB/SmolLM2-135M-Instruct", "cpu") == "transformers"
    monkeypatch.setenv("FRONTLINE_ENGINE", "transformers")
    assert choose_engine(str(tiny), "cpu") == "transformers"
    with pytest.raises(ValueError, match="auto, llamacpp, llama, transformers"):
        choose_engine(str(tiny), "cpu", "vllm")


def test_the_int4_kernel_computes_d_times_q_plus_m():
    rng = np.random.default_rng(0)
    q = rng.integers(0, 16, size=(64, 128), dtype=np.uint8)
    d = (rng.random((64, 4)) * 0.05).astype(np.float16)
    m = (rng.standard_normal((64, 4)) * 0.1).astype(np.float16)
    packed, sz = gguf_q4.pack_for_cpu((q, d, m))
    x = torch.randn(3, 128, dtype=torch.bfloat16)
    got = torch._weight_int4pack_mm_for_cpu(x, packed, gguf_q4.GROUP, sz).float()
    want = x.float() @ torch.from_numpy(gguf_q4.dequantize((q, d, m))).T
    torch.testing.assert_close(got, want, atol=0.05, rtol=0.02)


def test_without_a_working_int4_kernel_decoding_stays_dense(tiny, tmp_path, monkeypatch):
    from trainer.llm.engines import llama_engine

    weights = {}
    for name, rows, cols in [("self_attn.q_proj", 64, 64), ("self_attn.k_proj", 32, 64),
                             ("self_attn.v_proj", 32, 64), ("self_attn.o_proj", 64, 64),
                             ("mlp.gate_proj", 96, 64), ("mlp.up_proj", 96, 64),
                             ("mlp.down_proj", 64, 96)]:  # fmt: skip
        for layer in range(3):
            weights[f"model.layers.{layer}.{name}.weight"] = (
                np.zeros((rows, cols), dtype=np.uint8),
                np.ones((rows, cols // 32), dtype=np.float16),
                np.zeros((rows, cols // 32), dtype=np.float16),
            )
    gguf_q4.save_q4(weights, tmp_path / "q4.safetensors")
    assert llama_engine._int4_kernel_works()
    assert LlamaEngine(tiny, "float32", q4=tmp_path / "q4.safetensors").decodes_4bit
    monkeypatch.delattr(torch, "_weight_int4pack_mm_for_cpu")  # as in an older torch
    assert not llama_engine._int4_kernel_works()
    assert not LlamaEngine(tiny, "float32", q4=tmp_path / "q4.safetensors").decodes_4bit


def test_4bit_weights_survive_a_save_and_load(tmp_path):
    rng = np.random.default_rng(1)
    weight = (
        rng.integers(0, 16, size=(8, 64), dtype=np.uint8),
        rng.random((8, 2)).astype(np.float16),
        rng.random((8, 2)).astype(np.float16),
    )
    gguf_q4.save_q4({"w": weight}, tmp_path / "q4.safetensors")
    loaded = gguf_q4.load_q4(tmp_path / "q4.safetensors")
    for got, want in zip(loaded["w"], weight, strict=True):
        np.testing.assert_array_equal(got, want)


# --- the real bundled model -------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled_folder() -> Path:
    try:
        return bundled.ensure_converted()
    except BackendError as err:
        pytest.skip(str(err))


@pytest.mark.slow
def test_gguf_blocks_are_the_dense_conversion_weights(bundled_folder):
    """Same values as transformers' dequantization, rows in the same (unpermuted) order."""
    from safetensors.torch import load_file

    dense = load_file(str(bundled_folder / "model.safetensors"))
    weights = gguf_q4.load_q4(bundled_folder / bundled.Q4_FILE)
    for name in (
        "model.layers.0.self_attn.q_proj.weight",
        "model.layers.29.self_attn.k_proj.weight",
        "model.layers.7.mlp.down_proj.weight",
    ):
        want = dense[name].float().numpy()
        got = gguf_q4.dequantize(weights[name])
        assert np.abs(got - want).max() <= 0.01 * np.abs(want).max()  # bfloat16 rounding


@pytest.mark.slow
def test_4bit_decoding_stays_close_to_dense(bundled_folder):
    ids = list(range(400, 440))
    dense = LlamaEngine(bundled_folder, "float32")
    quant = LlamaEngine(bundled_folder, "float32", q4=bundled_folder / bundled.Q4_FILE)
    assert quant.decodes_4bit and not dense.decodes_4bit
    caches = dense.new_cache(64), quant.new_cache(64)
    dense.forward(ids, caches[0]), quant.forward(ids, caches[1])
    token = 300
    for _ in range(8):
        a, b = dense.forward([token], caches[0]), quant.forward([token], caches[1])
        assert torch.cosine_similarity(a, b, dim=0) > 0.999
        assert int(a.argmax()) == int(b.argmax())
        token = int(a.argmax())


@pytest.mark.slow
def test_engines_write_the_same_greedy_text(bundled_folder):
    prompt = "Agent: Thank you for calling, how can I help?\nCustomer: My internet"
    params = GenerationParams(max_new_tokens=20, temperature=0, timeout_s=300)
    texts = {}
    for engine in ("llama", "transformers"):
        backend = LocalBackend(dtype="float32", engine=engine, four_bit=False)
        assert backend.loaded.engine == engine
        texts[engine] = "".join(backend.stream_text(prompt, params))
    assert texts["llama"].strip() and texts["llama"] == texts["transformers"]


@pytest.mark.slow
def test_a_continuation_reply_never_imports_transformers(bundled_folder):
    code = (
        "import sys\n"
        "from trainer.llm.local import LocalBackend\n"
        "from trainer.llm.base import GenerationParams\n"
        "b = LocalBackend(engine='llama')\n"
        "text = ''.join(b.stream_text('Customer: Hello?', GenerationParams(max_new_tokens=5)))\n"
        "print(b.loaded.engine, b.loaded.four_bit, 'transformers' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["llama", "True", "False"]


@pytest.mark.slow
def test_read_ahead_then_reply_reuses_the_prompt_and_changes_nothing(bundled_folder):
    """float32, where reusing the cache moves logits by about 1e-5: the same greedy text."""
    backend = LocalBackend(dtype="float32", engine="llama")
    prefixes = backend.loaded.prefixes
    assert prefixes is not None
    start = "Transcript of a phone call.\nCustomer: My internet has been down since Monday."
    prompt = start + "\nAgent: I'm sorry to hear that. What is your account number?\nCustomer:"
    params = GenerationParams(max_new_tokens=16, temperature=0, timeout_s=300)
    prefixes.clear()
    cold = "".join(backend.stream_text(prompt, params))
    prefixes.clear()
    hits = prefixes.hits
    backend.prepare(start)
    warm = "".join(backend.stream_text(prompt, params))  # waits for the read-ahead
    assert prefixes.hits == hits + 1
    assert warm == cold and cold.strip()
