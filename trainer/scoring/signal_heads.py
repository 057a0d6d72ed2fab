"""Learned signal detectors: one logistic head per signal over a sentence's embedding and words.

A head reads the sentence's MiniLM vector ``s`` and the vector ``c`` of what the
customer said just before (zeros when there is nothing before): the features are
``[s, s * c, s . c]``, and beside them the sentence's hashed word and character
n-grams (:mod:`trainer.scoring.lexical`; heads fitted before those existed have no
n-gram weights and still load). The cosine lets ``restates_issue`` see whether the agent is
going back over the caller's own words, and the product lets
``asks_already_given_info`` see which detail the caller gave; the other signals'
context weights are zero. A turn of several sentences, and the customer's line, are
read as the normalised mean of their sentence vectors (:func:`direction`), when the
heads are fitted and when they run.

The heads are package data next to the rubric (``default.heads.npz``), fitted by
``python -m trainer signals train`` from the labelled turns under ``data/signals/``.
Every analyser uses them for the signals they know; a rubric scored from a file
with its own ``<name>.heads.npz`` beside it (``signals train --rubric``) uses those.
A signal fires on a sentence when its probability reaches the head's threshold
(chosen on held-out folds with a precision floor).
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse

from trainer.paths import default_rubric_path
from trainer.scoring.embeddings import DIM, Encoder
from trainer.scoring.lexical import WIDTH, ngram_features
from trainer.scoring.sentences import split_sentences

EMBEDDING_ONLY = "sentence+context-product+cosine"
"""The layout of heads without n-gram weights (files written before them still load)."""
FEATURES = EMBEDDING_ONLY + f"+ngrams-{WIDTH}"
"""The feature layout the heads are fitted on (stored in the file, checked on load)."""


def features(sentences: np.ndarray, contexts: np.ndarray) -> np.ndarray:
    """``[s, s * c, s . c]`` for rows of sentence vectors and their context vectors."""
    product = sentences * contexts
    return np.hstack([sentences, product, product.sum(axis=1, keepdims=True)]).astype(np.float32)


def direction(vectors: np.ndarray) -> np.ndarray:
    """Sentence vectors read as one: the normalised mean of their rows.

    One row is itself; no rows give zeros. The analyser reads a multi-sentence turn,
    and the customer's line before it, this way (no second encoder pass), and the
    heads are fitted on the same vectors (:func:`turn_vectors`)."""
    if len(vectors) == 1:
        return vectors[0]
    mean = vectors.mean(axis=0) if len(vectors) else np.zeros(vectors.shape[1], np.float32)
    return (mean / max(float(np.linalg.norm(mean)), 1e-9)).astype(np.float32)


def turn_vectors(texts: Sequence[str], encoder: Encoder) -> np.ndarray:
    """Each text as the analyser reads it: the :func:`direction` of its sentences.

    Every distinct sentence is encoded once; a text without words gives zeros."""
    split = [split_sentences(t or "") for t in texts]
    unique = sorted({s for sentences in split for s in sentences})
    encoded = encoder.encode(unique) if unique else np.zeros((0, DIM), np.float32)
    row = {s: i for i, s in enumerate(unique)}
    out = np.zeros((len(texts), encoded.shape[1]), dtype=np.float32)
    for i, sentences in enumerate(split):
        out[i] = direction(encoded[[row[s] for s in sentences]])
    return out


CACHED_TEXTS = 50_000
"""Texts whose n-gram logits a heads object keeps (about 7 MB for 32 signals)."""


class HeadsError(ValueError):
    """A heads file is missing parts or does not fit the encoder."""


@dataclass(frozen=True)
class SignalHeads:
    """Logistic heads: ``sigmoid(features @ weights[k] + ngrams @ lexical[k] + bias[k])``.

    A signal fires where that reaches ``thresholds[k]``; ``lexical`` is None for heads
    that read the embedding only."""

    names: tuple[str, ...]
    weights: np.ndarray  # (n_signals, n_features)
    bias: np.ndarray  # (n_signals,)
    thresholds: np.ndarray  # (n_signals,)
    encoder: str = "all-MiniLM-L6-v2"
    info: str = "{}"
    """JSON: what the heads were trained on (rows, sources, data hash) and how they scored."""
    lexical: np.ndarray | None = None
    """(n_signals, :data:`~trainer.scoring.lexical.WIDTH`) weights of the hashed n-grams."""
    _seen: OrderedDict = field(default_factory=OrderedDict, init=False, compare=False, repr=False)
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, compare=False, repr=False
    )

    @property
    def dim(self) -> int:
        """Width of the sentence vectors the heads expect."""
        return (self.weights.shape[1] - 1) // 2

    def probabilities(
        self, feats: np.ndarray, ngrams: sparse.spmatrix | np.ndarray | None = None
    ) -> np.ndarray:
        """(rows, n_signals) probabilities for rows of :func:`features` and their n-grams.

        ``ngrams``: the rows' :func:`~trainer.scoring.lexical.ngram_features`, or their
        :meth:`lexical_logits` (a dense array); needed when the heads have n-gram weights."""
        logits = feats @ self.weights.T + self.bias
        if self.lexical is not None:
            if ngrams is None:
                raise ValueError("these heads read n-grams: pass the rows' ngram_features")
            dense = isinstance(ngrams, np.ndarray)
            logits = logits + (ngrams if dense else np.asarray(ngrams @ self.lexical.T))
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -30.0, 30.0)))

    def __getstate__(self) -> dict:  # the cache and its lock stay behind
        return {k: v for k, v in self.__dict__.items() if k not in ("_seen", "_lock")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _seen=OrderedDict(), _lock=threading.Lock())

    def lexical_logits(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), n_signals): what each text's n-grams add to the logits.

        Sentences repeat across calls ("Is there anything else?"), so each text's row is
        kept (the last :data:`CACHED_TEXTS` texts) and only new texts are hashed."""
        if self.lexical is None:
            return np.zeros((len(texts), len(self.names)), np.float32)
        with self._lock:
            rows = {t: self._seen[t] for t in texts if t in self._seen}
            for t in rows:
                self._seen.move_to_end(t)
        new = sorted({t for t in texts if t not in rows})
        if new:
            computed = np.asarray(ngram_features(new) @ self.lexical.T, dtype=np.float32)
            with self._lock:
                for t, row in zip(new, computed, strict=True):
                    rows[t] = self._seen[t] = row
                while len(self._seen) > CACHED_TEXTS:
                    self._seen.popitem(last=False)
        return np.vstack([rows[t] for t in texts]) if texts else np.zeros((0, len(self.names)))

    def index(self) -> dict[str, int]:
        """Signal name -> row of the weight matrix."""
        return {name: k for k, name in enumerate(self.names)}

    def select(self, names: list[str]) -> SignalHeads:
        """Only the heads of ``names`` (in that order); names without a head are left out."""
        rows = [self.index()[n] for n in names if n in self.names]
        return SignalHeads(
            tuple(self.names[k] for k in rows),
            self.weights[rows],
            self.bias[rows],
            self.thresholds[rows],
            self.encoder,
            self.info,
            None if self.lexical is None else self.lexical[rows],
        )

    def save(self, path: str | Path) -> None:
        """Write the heads as a compressed ``.npz`` (float32 weights, float16 n-gram
        weights, names, info)."""
        extra = {} if self.lexical is None else {"lexical": self.lexical.astype(np.float16)}
        np.savez_compressed(
            Path(path),
            names=np.array(self.names),
            weights=self.weights.astype(np.float32),
            bias=self.bias.astype(np.float32),
            thresholds=self.thresholds.astype(np.float32),
            encoder=np.array(self.encoder),
            features=np.array(FEATURES if self.lexical is not None else EMBEDDING_ONLY),
            info=np.array(self.info),
            **extra,
        )

    @classmethod
    def load(cls, path: str | Path) -> SignalHeads:
        """Read a heads file written by :meth:`save`; raise :class:`HeadsError` if damaged."""
        try:
            with np.load(Path(path), allow_pickle=False) as data:
                parts = {key: data[key] for key in data.files}
        except (OSError, ValueError, EOFError) as exc:
            raise HeadsError(f"{path}: cannot read the signal heads ({exc})") from None
        missing = {"names", "weights", "bias", "thresholds", "features"} - set(parts)
        if missing:
            raise HeadsError(f"{path}: not a signal heads file (no {', '.join(sorted(missing))})")
        layout = str(parts["features"])
        if layout not in (FEATURES, EMBEDDING_ONLY):
            raise HeadsError(f"{path}: fitted on features {layout!r}, not {FEATURES!r}")
        names = tuple(str(n) for n in parts["names"])
        weights = parts["weights"].astype(np.float32)
        if weights.ndim != 2 or weights.shape[0] != len(names) or weights.shape[1] % 2 != 1:
            raise HeadsError(f"{path}: weights of shape {weights.shape} for {len(names)} signals")
        lexical = None
        if layout == FEATURES:
            lexical = parts.get("lexical")
            if lexical is None or lexical.shape != (len(names), WIDTH):
                shape = None if lexical is None else lexical.shape
                raise HeadsError(
                    f"{path}: n-gram weights of shape {shape}, not ({len(names)}, {WIDTH})"
                )
            lexical = lexical.astype(np.float32)
        return cls(
            names,
            weights,
            parts["bias"].astype(np.float32),
            parts["thresholds"].astype(np.float32),
            str(parts.get("encoder", "all-MiniLM-L6-v2")),
            str(parts.get("info", "{}")),
            lexical,
        )

    def summary(self) -> dict:
        """The ``info`` JSON as a dict."""
        return json.loads(self.info or "{}")


def heads_path_for(rubric_file: str | Path) -> Path:
    """Where a rubric's heads live: ``x.yaml`` -> ``x.heads.npz`` beside it."""
    path = Path(rubric_file)
    return path.with_name(path.stem + ".heads.npz")


def fire(
    heads: SignalHeads,
    sentences: np.ndarray,
    context: np.ndarray,
    whole: np.ndarray | None,
    readable: list[bool] | None = None,
    texts: Sequence[str] | None = None,
) -> dict[tuple[int, str], float]:
    """(sentence index, signal) -> probability for every head that fires in one turn.

    ``sentences``: the turn's sentence vectors; ``context``: the vector of the customer's
    line before (zeros for none); ``whole``: the vector of the whole turn when it has
    more than one sentence; ``readable``: False for sentences that are not words (never
    fired); ``texts``: the sentences' words, for heads with n-gram weights. A head fires
    on each sentence that reaches its threshold; when none does but the whole turn
    does, on the sentence it rates highest.
    """
    rows = sentences if whole is None else np.vstack([sentences, whole[None, :]])
    ngrams = None
    if heads.lexical is not None:
        if texts is None or len(texts) != len(sentences):
            raise ValueError("these heads read n-grams: pass the sentences' texts")
        said = list(texts) + ([" ".join(texts)] if whole is not None else [])
        ngrams = heads.lexical_logits(said)
    probs = heads.probabilities(features(rows, np.broadcast_to(context, rows.shape)), ngrams)
    n = len(sentences)
    if readable is not None:  # a head judges words, not noise ("xxxx...", a pasted hash)
        probs[:n][~np.asarray(readable, dtype=bool)] = 0.0
    fired: dict[tuple[int, str], float] = {}
    for k, name in enumerate(heads.names):
        column, threshold = probs[:n, k], heads.thresholds[k]
        turn = float(probs[n, k]) if whole is not None else 0.0
        hits = list(np.nonzero(column >= threshold)[0])
        if not hits and turn >= threshold:
            hits = [int(column.argmax())]
        for i in hits:
            fired[(int(i), name)] = round(max(float(column[i]), turn), 4)
    return fired


_WORD = re.compile(r"\b[^\W\d_]{1,25}\b")


def readable(sentence: str) -> bool:
    """True for a sentence of words: at least two, and most of its letters inside words."""
    words = _WORD.findall(sentence)
    letters = sum(ch.isalpha() for ch in sentence)
    return len(words) >= 2 and sum(map(len, words)) >= 0.6 * max(letters, 1)


_BUNDLED: dict[str, SignalHeads | None] = {}


def bundled_heads() -> SignalHeads | None:
    """The heads shipped with the default rubric (None if the file is absent)."""
    if "default" not in _BUNDLED:
        path = heads_path_for(default_rubric_path())
        _BUNDLED["default"] = SignalHeads.load(path) if path.is_file() else None
    return _BUNDLED["default"]
