"""Sentence embeddings cached on disk between ``calibrate`` runs, with progress.

Calibrating on a few thousand labelled pairs spends most of its time in the
encoder. ``CachedEncoder`` wraps any :class:`~trainer.scoring.embeddings.Encoder`
and keeps every vector it computes in ``<cache>/embeddings/<model>.npz``, keyed by
the sha256 of the text, so a second run encodes only texts it has not seen. The
model key names the encoder (the bundled MiniLM's folder and ``max_length``): two
models never share vectors. The cache is safe to delete.

Progress is written to ``progress`` (stderr by default) as ``encoding 640/3023``
lines, one per batch, when more than one batch must be encoded.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import numpy as np

from trainer.paths import user_cache_dir
from trainer.scoring.embeddings import Embedder, Encoder


def text_key(text: str) -> str:
    """The cache key of a text: its sha256 (hex)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def model_key(encoder: Encoder) -> str:
    """A file-name-safe id of the encoder's model (vectors of two models never mix)."""
    if isinstance(encoder, Embedder):
        name = str(encoder.model_path or "bundled-all-MiniLM-L6-v2")
        ident = f"{name}|max_length={encoder.max_length}"
    else:
        kind = type(encoder)
        ident = getattr(encoder, "model_id", None) or f"{kind.__module__}.{kind.__qualname__}"
    return hashlib.sha256(str(ident).encode("utf-8")).hexdigest()[:16]


class CachedEncoder:
    """An encoder whose vectors persist on disk; ``encode`` as the wrapped one's.

    ``hits`` and ``encoded`` count texts served from the cache and texts run
    through the model by this object.
    """

    def __init__(
        self,
        encoder: Encoder | None = None,
        cache_dir: str | Path | None = None,
        *,
        progress: TextIO | None = sys.stderr,
        batch: int = 128,
    ) -> None:
        self.encoder = encoder or Embedder.shared()
        folder = Path(cache_dir) if cache_dir else user_cache_dir() / "embeddings"
        self.path = folder / f"{model_key(self.encoder)}.npz"
        self.progress = progress
        self.batch = batch
        self.hits = 0
        self.encoded = 0
        self._vectors: dict[str, np.ndarray] = self._read()
        self._dirty = False

    def _read(self) -> dict[str, np.ndarray]:
        if not self.path.is_file():
            return {}
        try:
            with np.load(self.path, allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
        except (OSError, ValueError, KeyError):
            return {}  # a broken cache is only a slower run
        return {str(k): v for k, v in zip(keys, vectors, strict=True)}

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """Unit vectors for ``sentences``; unseen texts are encoded and saved."""
        if isinstance(sentences, str):
            raise TypeError("encode() takes a list of sentences, not one string")
        keys = [text_key(s) for s in sentences]
        missing = list(dict.fromkeys(s for s, k in zip(sentences, keys, strict=True)
                                     if k not in self._vectors))  # fmt: skip
        self.hits += len(sentences) - len(missing)
        for start in range(0, len(missing), self.batch):
            chunk = missing[start : start + self.batch]
            for text, vector in zip(chunk, self.encoder.encode(chunk), strict=True):
                self._vectors[text_key(text)] = np.asarray(vector, dtype=np.float32)
            self.encoded += len(chunk)
            self._dirty = True
            if self.progress is not None and len(missing) > self.batch:
                done = min(start + self.batch, len(missing))
                print(f"encoding {done}/{len(missing)}", file=self.progress, flush=True)
            if start // self.batch % 8 == 7:
                self.save()  # an interrupted run keeps what it encoded
        self.save()
        if not sentences:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys])

    def save(self) -> None:
        """Write the cache file (atomically) when something new was encoded."""
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp.npz")
        keys = np.array(list(self._vectors), dtype="U64")
        np.savez(tmp, keys=keys, vectors=np.stack(list(self._vectors.values())))
        os.replace(tmp, self.path)
        self._dirty = False
