"""A fitted EPITOME model: none / weak / strong per mechanism, learned from labels.

``python -m trainer calibrate`` fits it when a label file has EPITOME mechanism
labels (``trainer/calibration/mechanism_fit.py``) and writes it beside the
calibrated rubric as ``<rubric>.epitome.npz``; the rubric names the file and its
sha256 (``epitome_model:``), so the rubric's hash changes with the model. When a
rubric has one, the scorecard's EPITOME levels come from it instead of the
word-overlap rule of ``empathy.py``. The default rubric has none.

Each agent turn is read with the customer's last two turns as context. Features:

- MiniLM vectors of the turn, of the context and their elementwise product
  (``embed_scale`` weighs them against the lexical block);
- TF-IDF of the turn's word 1-2-grams and character 2-5-grams, hashed
  (``HashingVectorizer``: no vocabulary to store, only the IDF of each bucket).

Per mechanism a multinomial logistic regression gives log-probabilities; the
level is the argmax after adding ``offsets`` (chosen for macro-F1 with a
precision floor, ``mechanism_fit.choose_offsets``). ``to_bytes`` / ``load`` (de)serialise it.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from trainer.scoring.embeddings import Encoder

MODEL_SUFFIX = ".epitome.npz"
FORMAT = 1


def model_path_for(rubric_path: str | Path) -> Path:
    """Where the EPITOME model of a rubric file lives: ``x.yaml`` -> ``x.epitome.npz``."""
    path = Path(rubric_path)
    return path.with_name(path.stem + MODEL_SUFFIX)


def file_sha256(path: str | Path) -> str:
    """sha256 (hex) of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass(frozen=True)
class Lexical:
    """Hashed TF-IDF settings shared by fitting and scoring."""

    word_bits: int = 12
    char_bits: int = 12

    def counts(self, texts: Sequence[str]):  # noqa: ANN201 - a scipy sparse matrix
        """Sublinear term counts of word 1-2-grams and char 2-5-grams, hashed."""
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import HashingVectorizer

        kw = {"alternate_sign": False, "norm": None, "lowercase": True}
        words = HashingVectorizer(n_features=2**self.word_bits, ngram_range=(1, 2), **kw)
        chars = HashingVectorizer(
            n_features=2**self.char_bits, analyzer="char_wb", ngram_range=(2, 5), **kw
        )
        x = hstack([words.transform(texts), chars.transform(texts)]).tocsr()
        x.data = 1.0 + np.log(x.data)
        return x

    def idf(self, counts) -> np.ndarray:  # noqa: ANN001
        """Smoothed IDF of every bucket, from training counts."""
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        return (np.log((1 + counts.shape[0]) / (1 + df)) + 1.0).astype(np.float32)


def tfidf(counts, idf: np.ndarray):  # noqa: ANN001, ANN201
    """Counts weighted by IDF, each row L2-normalised."""
    from sklearn.preprocessing import normalize

    return normalize(counts.multiply(idf[None, :]).tocsr())


def features(responses: Sequence[str], contexts: Sequence[str], encoder: Encoder,
             lexical: Lexical, idf: np.ndarray, embed_scale: float):  # fmt: skip  # noqa: ANN201
    """The model's input rows for (turn, context) pairs; an empty context is a zero vector."""
    from scipy.sparse import csr_matrix, hstack

    r = np.asarray(encoder.encode(list(responses)), dtype=np.float32)
    filled = [c for c in contexts if c.strip()]
    c = np.zeros_like(r)
    if filled:
        vectors = iter(np.asarray(encoder.encode(filled), dtype=np.float32))
        for i, text in enumerate(contexts):
            if text.strip():
                c[i] = next(vectors)
    dense = embed_scale * np.hstack([r, c, r * c * np.sqrt(r.shape[1])])
    return hstack([csr_matrix(dense), tfidf(lexical.counts(responses), idf)]).tocsr()


@dataclass(frozen=True)
class MechanismModel:
    """One mechanism's multinomial classifier (classes none, weak, strong)."""

    coef: np.ndarray
    intercept: np.ndarray
    offsets: np.ndarray

    def levels(self, x) -> np.ndarray:  # noqa: ANN001
        """0 / 1 / 2 per row."""
        return decide(log_probs(x, self.coef, self.intercept), self.offsets)


def log_probs(x, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """Log-softmax of the linear scores."""
    z = np.asarray(x @ coef.T) + intercept[None, :]
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def decide(logp: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The level with the highest offset log-probability."""
    return np.argmax(logp + offsets[None, :], axis=1)


@dataclass(frozen=True)
class EpitomeModel:
    """Fitted mechanism classifiers and the feature settings they were fitted on."""

    mechanisms: dict[str, MechanismModel]
    idf: np.ndarray
    lexical: Lexical = Lexical()
    embed_scale: float = 1.0
    encoder: str = ""

    def levels(self, responses: Sequence[str], contexts: Sequence[str],
               encoder: Encoder) -> dict[str, np.ndarray]:  # fmt: skip
        """Level 0 / 1 / 2 of every mechanism for each (turn, context) pair."""
        if not responses:
            return {m: np.zeros(0, dtype=int) for m in self.mechanisms}
        x = features(responses, contexts, encoder, self.lexical, self.idf, self.embed_scale)
        return {m: model.levels(x) for m, model in self.mechanisms.items()}

    def to_bytes(self) -> bytes:
        """The model as the bytes of one ``.npz`` (no pickles)."""
        meta = {"format": FORMAT, "mechanisms": list(self.mechanisms),
                "word_bits": self.lexical.word_bits, "char_bits": self.lexical.char_bits,
                "embed_scale": self.embed_scale, "encoder": self.encoder}  # fmt: skip
        arrays = {"meta": np.array(json.dumps(meta)), "idf": self.idf}
        for m, model in self.mechanisms.items():
            arrays[f"{m}.coef"] = model.coef.astype(np.float32)
            arrays[f"{m}.intercept"] = model.intercept.astype(np.float32)
            arrays[f"{m}.offsets"] = model.offsets.astype(np.float32)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def load(cls, path: str | Path) -> EpitomeModel:
        """Read a model written by ``to_bytes`` (``ValueError`` when it is not one)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                if meta.get("format") != FORMAT:
                    raise ValueError(f"format {meta.get('format')!r}, expected {FORMAT}")
                mechanisms = {
                    m: MechanismModel(
                        data[f"{m}.coef"], data[f"{m}.intercept"], data[f"{m}.offsets"]
                    )  # fmt: skip
                    for m in meta["mechanisms"]
                }
                idf = data["idf"]
        except (OSError, KeyError, ValueError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: not an EPITOME model file ({exc})") from None
        lexical = Lexical(int(meta["word_bits"]), int(meta["char_bits"]))
        return cls(mechanisms, idf, lexical, float(meta["embed_scale"]), str(meta["encoder"]))


_LOADED: dict[tuple[str, str], EpitomeModel] = {}
_LOCK = threading.Lock()


def load_cached(path: str | Path, sha256: str) -> EpitomeModel:
    """The model at ``path``, read once per process for each (path, sha256)."""
    key = (str(Path(path).resolve()), sha256)
    with _LOCK:
        if key not in _LOADED:
            _LOADED[key] = EpitomeModel.load(path)
        return _LOADED[key]
