"""Example matching: a sentence fires a signal when it is close to the signal's examples.

For signals without a learned head (a trainer's own, in their rubric): the sentence's
best MiniLM cosine to the ``examples`` must reach ``threshold`` and beat its best
cosine to the ``counter_examples``. A calibrated ``classifier`` in the rubric
replaces the cosine rule for its signal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from trainer.rubric.signal_specs import SignalSpec
from trainer.scoring.embeddings import DIM, Encoder


@dataclass(frozen=True)
class ExampleBank:
    """Example vectors for one speaker's semantic signals, grouped by signal."""

    names: list[str]
    thresholds: np.ndarray
    positives: np.ndarray  # (n_examples, dim), rows grouped by signal
    pos_starts: np.ndarray  # first row of each signal
    negatives: np.ndarray
    neg_starts: np.ndarray
    has_negatives: np.ndarray  # bool per signal
    clf_weights: np.ndarray  # (n_signals, dim); zero rows where a signal has no classifier
    clf_bias: np.ndarray
    clf_thresholds: np.ndarray
    has_classifier: np.ndarray  # bool per signal


def build_bank(specs: Mapping[str, SignalSpec], encoder: Encoder) -> ExampleBank:
    """Encode the examples (and counter-examples) of ``specs``, grouped by signal."""
    names = list(specs)
    if not names:
        empty = np.zeros((0, DIM), dtype=np.float32)
        none = np.zeros(0)
        return ExampleBank(
            [], none, empty, np.zeros(0, int), empty, np.zeros(0, int), np.zeros(0, bool),
            empty, none, none, np.zeros(0, bool),
        )  # fmt: skip
    pos_texts = [e for s in specs.values() for e in s.examples]
    # A signal without counter-examples gets a placeholder row it never uses.
    neg_texts = [e for s in specs.values() for e in (s.counter_examples or ["-"])]
    vectors = encoder.encode(pos_texts + neg_texts)
    return ExampleBank(
        names=names,
        thresholds=np.array([specs[n].threshold for n in names], dtype=np.float32),
        positives=vectors[: len(pos_texts)],
        pos_starts=_starts([len(specs[n].examples) for n in names]),
        negatives=vectors[len(pos_texts) :],
        neg_starts=_starts([len(specs[n].counter_examples) or 1 for n in names]),
        has_negatives=np.array([bool(specs[n].counter_examples) for n in names]),
        **_classifiers([specs[n] for n in names], vectors.shape[1]),
    )


def matches(bank: ExampleBank, sentence_vectors: np.ndarray) -> dict[tuple[int, str], float]:
    """(sentence index, signal) -> score for every sentence that matches a signal."""
    pos = np.maximum.reduceat(sentence_vectors @ bank.positives.T, bank.pos_starts, axis=1)
    fires = pos >= bank.thresholds
    if bank.negatives.shape[0]:
        neg = np.maximum.reduceat(sentence_vectors @ bank.negatives.T, bank.neg_starts, axis=1)
        fires &= ~bank.has_negatives | (pos > neg)
    if bank.has_classifier.any():  # a calibrated classifier replaces the cosine rule
        prob = 1.0 / (1.0 + np.exp(-(sentence_vectors @ bank.clf_weights.T + bank.clf_bias)))
        fires = np.where(bank.has_classifier, prob >= bank.clf_thresholds, fires)
        pos = np.where(bank.has_classifier, prob, pos)
    return {
        (int(i), bank.names[k]): round(float(pos[i, k]), 4)
        for i, k in zip(*fires.nonzero(), strict=True)
    }


def _classifiers(specs: list[SignalSpec], dim: int) -> dict[str, np.ndarray]:
    """The banks' classifier arrays (zeros where a signal has none)."""
    weights = np.zeros((len(specs), dim), dtype=np.float32)
    bias, thresholds = np.zeros(len(specs)), np.ones(len(specs))
    for k, spec in enumerate(specs):
        if spec.classifier is not None:
            if len(spec.classifier.weights) != dim:
                raise ValueError(
                    f"{spec.description!r}: classifier has {len(spec.classifier.weights)} "
                    f"weights; the embedding model gives {dim} values"
                )
            weights[k] = spec.classifier.weights
            bias[k], thresholds[k] = spec.classifier.bias, spec.classifier.threshold
    return {
        "clf_weights": weights,
        "clf_bias": bias,
        "clf_thresholds": thresholds,
        "has_classifier": np.array([s.classifier is not None for s in specs], dtype=bool),
    }


def _starts(sizes: list[int]) -> np.ndarray:
    """Offsets of consecutive groups of the given sizes (for ``np.maximum.reduceat``)."""
    return np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int)
