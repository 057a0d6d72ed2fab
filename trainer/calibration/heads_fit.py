"""Fit the signal heads (:mod:`trainer.scoring.signal_heads`) to labelled turns.

Per signal, a logistic regression (scikit-learn, L2, balanced classes) on the
features of every turn of that signal's speaker. Its threshold is chosen on
out-of-fold probabilities, the folds grouped by author and industry so that a
threshold is never picked on phrasing the head was fitted on: the highest F1
whose precision is at least ``precision_floor``.

Labels come from the labelled turns (a 0 for every signal a row does not list) and
from the rubric's own ``examples`` / ``counter_examples`` (a 1 / 0 for that signal
only; unknown for the others).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from trainer.calibration.signal_data import LabelledTurn
from trainer.rubric.signal_specs import SignalSpec
from trainer.scoring.embeddings import Encoder
from trainer.scoring.signal_heads import SignalHeads, features

MIN_POSITIVES = 8
"""A signal with fewer labelled positives gets no head (its examples still match)."""
CONTEXT_SIGNALS = frozenset({"restates_issue", "asks_already_given_info"})
"""Signals whose heads read the customer's line before; the others see the sentence only
(their context weights are zero), so they behave the same with and without context."""


@dataclass(frozen=True)
class TrainingSet:
    """Features and labels: ``labels[i, k]`` is 1, 0 or -1 (unknown) for signal ``k``."""

    names: tuple[str, ...]
    speakers: tuple[str, ...]  # per row
    feats: np.ndarray
    labels: np.ndarray
    groups: tuple[str, ...]  # per row: author/industry, for the folds
    digest: str


def training_set(
    rows: list[LabelledTurn], specs: Mapping[str, SignalSpec], encoder: Encoder
) -> TrainingSet:
    """Embed the rows (and the specs' examples) and build the label matrix."""
    names = tuple(specs)
    column = {n: k for k, n in enumerate(names)}
    texts, contexts, speakers, groups, label_rows = [], [], [], [], []
    for row in rows:
        texts.append(row.text)
        contexts.append(row.context if row.speaker == "agent" else "")
        speakers.append(row.speaker)
        groups.append(f"{row.author}/{row.industry or '-'}")
        label_rows.append([1 if n in row.signals else 0 for n in names])
    for name, spec in specs.items():
        for text, value in [(e, 1) for e in spec.examples] + [
            (e, 0) for e in spec.counter_examples
        ]:
            texts.append(text)
            contexts.append("")
            speakers.append(spec.speaker)
            groups.append("rubric/examples")
            labels = [-1] * len(names)
            labels[column[name]] = value
            label_rows.append(labels)
    sentence_vectors = encoder.encode(texts)
    unique_contexts = sorted({c for c in contexts if c})
    context_vectors = np.zeros_like(sentence_vectors)
    if unique_contexts:
        encoded = encoder.encode(unique_contexts)
        where = {c: i for i, c in enumerate(unique_contexts)}
        for i, c in enumerate(contexts):
            if c:
                context_vectors[i] = encoded[where[c]]
    digest = hashlib.sha256(
        json.dumps([texts, contexts, label_rows], ensure_ascii=False).encode("utf-8")
    ).hexdigest()
    return TrainingSet(
        names,
        tuple(speakers),
        features(sentence_vectors, context_vectors),
        np.array(label_rows, dtype=np.int8),
        tuple(groups),
        digest,
    )


def fit_heads(
    data: TrainingSet,
    specs: Mapping[str, SignalSpec],
    *,
    folds: int = 5,
    precision_floor: float = 0.9,
    strength: float = 0.05,
    balance: str | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> SignalHeads:
    """One head per signal with enough positives; thresholds from grouped folds."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import StandardScaler

    names, weights, biases, thresholds, report = [], [], [], [], {}
    groups = np.array(data.groups)
    dim = (data.feats.shape[1] - 1) // 2
    for k, name in enumerate(data.names):
        mask = (data.labels[:, k] >= 0) & (np.array(data.speakers) == specs[name].speaker)
        x, y, g = data.feats[mask], data.labels[mask, k].astype(int), groups[mask]
        if name in CONTEXT_SIGNALS:  # also learn it without a line before
            blind = x.copy()
            blind[:, dim:] = 0.0
            x, y, g = np.vstack([x, blind]), np.concatenate([y, y]), np.concatenate([g, g])
        else:
            x = x[:, :dim]
        if y.sum() < MIN_POSITIVES or (y == 0).sum() < MIN_POSITIVES:
            progress(f"{name}: {int(y.sum())} positives; no head (examples still match)")
            continue

        def model() -> Pipeline:
            return make_pipeline(
                StandardScaler(),
                LogisticRegression(C=strength, class_weight=balance, max_iter=3000),
            )

        oof = np.zeros(len(y))
        splits = min(folds, len(set(g)))
        for train, test in GroupKFold(n_splits=splits).split(x, y, g):
            if len(set(y[train])) < 2:
                continue
            oof[test] = model().fit(x[train], y[train]).predict_proba(x[test])[:, 1]
        threshold, precision, recall = pick_threshold(oof, y, precision_floor)
        fitted = model().fit(x, y)
        scaler, regression = fitted[0], fitted[-1]
        scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
        folded = regression.coef_[0] / scale  # the scaler folded into the weights
        names.append(name)
        coef = np.zeros(data.feats.shape[1], dtype=np.float32)
        coef[: x.shape[1]] = folded
        weights.append(coef)
        biases.append(regression.intercept_[0] - float(folded @ scaler.mean_))
        thresholds.append(threshold)
        report[name] = {
            "positives": int(y.sum()),
            "rows": int(len(y)),
            "threshold": round(threshold, 3),
            "oof_precision": round(precision, 3),
            "oof_recall": round(recall, 3),
        }
        progress(
            f"{name}: {int(y.sum())}/{len(y)} positive, threshold {threshold:.2f},"
            f" held-out P {precision:.2f} R {recall:.2f}"
        )
    info = {"data_sha256": data.digest, "rows": int(len(data.speakers)), "signals": report}
    return SignalHeads(
        tuple(names),
        np.array(weights, dtype=np.float32),
        np.array(biases, dtype=np.float32),
        np.array(thresholds, dtype=np.float32),
        info=json.dumps(info, sort_keys=True),
    )


def pick_threshold(
    probs: np.ndarray, labels: np.ndarray, precision_floor: float
) -> tuple[float, float, float]:
    """``(threshold, precision, recall)``: best F1 with precision >= the floor.

    When no threshold reaches the floor, the most precise one (ties: higher recall).
    """
    best: tuple[float, float, float, float] | None = None
    fallback: tuple[float, float, float] = (0.95, 0.0, 0.0)
    for threshold in np.arange(0.30, 0.96, 0.025):
        fired = probs >= threshold
        tp = float((fired & (labels == 1)).sum())
        precision = tp / fired.sum() if fired.sum() else 0.0
        recall = tp / max(1, (labels == 1).sum())
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        if precision >= precision_floor and (best is None or f1 > best[0]):
            best = (f1, float(threshold), precision, recall)
        if (precision, recall) > fallback[1:]:
            fallback = (float(threshold), precision, recall)
    return best[1:] if best is not None else fallback
