"""Fit the signal heads (:mod:`trainer.scoring.signal_heads`) to labelled turns.

Per signal, a logistic regression (scikit-learn, L2; class weights as ``balance`` says,
none by default) on the features of every turn of that signal's speaker: the
standardised embedding features and, beside them, the turn's hashed n-grams
(:mod:`trainer.scoring.lexical`, weighted by its ``SCALE``). Its threshold is chosen on
out-of-fold probabilities, the folds grouped by author and industry so that a
threshold is never picked on phrasing the head was fitted on: the highest F1
whose precision is at least ``precision_floor``, judged as the analyser decides
(the head's probability or the signal's patterns). Rows are embedded as the
analyser embeds a turn (:func:`trainer.scoring.signal_heads.turn_vectors`).

Labels come from the labelled turns (a 0 for every signal a row does not list) and
from the rubric's own ``examples`` / ``counter_examples`` (a 1 / 0 for that signal
only; unknown for the others).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from trainer.calibration.signal_data import LabelledTurn
from trainer.rubric.signal_specs import SignalSpec
from trainer.scoring.embeddings import Encoder
from trainer.scoring.lexical import SCALE, WIDTH, ngram_features
from trainer.scoring.signal_heads import SignalHeads, features, turn_vectors
from trainer.scoring.signals import SignalAnalyzer

MIN_POSITIVES = 8
"""A signal with fewer labelled positives gets no head (its examples still match)."""
CONTEXT_SIGNALS = frozenset({"restates_issue", "asks_already_given_info"})
"""Signals whose heads read the customer's line before; the others see the sentence only
(their context weights are zero), so they behave the same with and without context.
These two get no n-gram weights: the same words restate one caller's problem and not
another's, and with n-grams the head learnt the words and ignored the line before."""
COSINE_ONLY = frozenset({"restates_issue"})
"""Context signals that read the line before only through the sentence's cosine to it.
Restating is about *whose* words these are: with the elementwise product (384 more
weights on a few hundred positives) the head learnt the sentence's shape and rated a
restatement higher after an unrelated line than after the caller's own. Asking again
for a detail needs to see *which* detail was given, so that head keeps the product."""
OPEN_WITH = {"asks_already_given_info": ("asks_verification",)}
"""A row showing the key signal is no negative of these: the label guide leaves open
whether asking again for a detail the caller gave is also a security check, and the
writers split (about 150 of 330 such rows say yes). Counted as negatives, those re-asks
capped the verification head's precision below the floor, and its threshold went up to
where it missed "Postcode and date of birth, please."; they are unknown (-1) for it."""


@dataclass(frozen=True)
class TrainingSet:
    """Features and labels: ``labels[i, k]`` is 1, 0 or -1 (unknown) for signal ``k``."""

    names: tuple[str, ...]
    speakers: tuple[str, ...]  # per row
    feats: np.ndarray
    labels: np.ndarray
    groups: tuple[str, ...]  # per row: author/industry, for the folds
    digest: str
    covered: np.ndarray | None = None
    """``covered[i, k]``: signal ``k``'s patterns already match row ``i`` (the analyser
    fires there whatever the head says); None: thresholds judge the head alone."""
    ngrams: sparse.csr_matrix | None = None
    """Each row's hashed n-grams (:func:`~trainer.scoring.lexical.ngram_features`);
    None: heads of the embedding alone."""


def training_set(
    rows: list[LabelledTurn], specs: Mapping[str, SignalSpec], encoder: Encoder
) -> TrainingSet:
    """Embed the rows (and the specs' examples) and build the label matrix.

    A text and its context are embedded with :func:`turn_vectors`, exactly as the
    analyser embeds them when it runs."""
    names = tuple(specs)
    column = {n: k for k, n in enumerate(names)}
    texts, contexts, speakers, groups, label_rows = [], [], [], [], []
    for row in rows:
        texts.append(row.text)
        contexts.append(row.context if row.speaker == "agent" else "")
        speakers.append(row.speaker)
        groups.append(f"{row.author}/{row.industry or '-'}")
        label_rows.append(_labels(row.signals, names))
    for text, context, group, labels in _other_calls(rows, names):
        texts.append(text)
        contexts.append(context)
        speakers.append("agent")
        groups.append(group)
        label_rows.append(labels)
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
    # read as the analyser reads a turn and its context: sentences and their direction
    sentence_vectors = turn_vectors(texts, encoder)
    context_vectors = turn_vectors(contexts, encoder)
    rules = SignalAnalyzer(specs, encoder, heads=None)
    covered = np.array(
        [[n in found for n in names] for found in map(rules.pattern_signals, texts, speakers)],
        dtype=bool,
    ).reshape(len(texts), len(names))
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
        covered,
        ngram_features(texts),
    )


def _labels(signals: list[str] | set[str], names: tuple[str, ...]) -> list[int]:
    """1 / 0 per signal for a labelled row, -1 where :data:`OPEN_WITH` leaves it open."""
    shown = set(signals)
    open_ = {o for key, others in OPEN_WITH.items() if key in shown for o in others}
    return [1 if n in shown else -1 if n in open_ else 0 for n in names]


def _other_calls(
    rows: list[LabelledTurn], names: tuple[str, ...]
) -> list[tuple[str, str, str, list[int]]]:
    """Each positive of a :data:`CONTEXT_SIGNALS` signal again, after another call's line.

    The same words do not go back over what this caller said (``restates_issue``) or
    ask again for what they gave (``asks_already_given_info``): a 0 for that signal,
    unknown for the others. Without these rows a head learns the sentence's shape and
    ignores the context. The other line comes from another author or industry,
    chosen by a fixed stride (reproducible)."""
    lines = [(r.context, f"{r.author}/{r.industry or '-'}") for r in rows if r.context]
    extra = []
    for k, name in enumerate(names):
        if name not in CONTEXT_SIGNALS:
            continue
        for i, row in enumerate(r for r in rows if name in r.signals and r.context):
            group = f"{row.author}/{row.industry or '-'}"
            for step in range(len(lines)):
                context, other = lines[(i * 7919 + step) % len(lines)]
                if other != group and context != row.context:
                    labels = [-1] * len(names)
                    labels[k] = 0
                    extra.append((row.text, context, group, labels))
                    break
    return extra


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
    from sklearn.model_selection import GroupKFold

    names, weights, biases, thresholds, report = [], [], [], [], {}
    lexical: list[np.ndarray] = []
    groups = np.array(data.groups)
    dim = (data.feats.shape[1] - 1) // 2
    for k, name in enumerate(data.names):
        mask = (data.labels[:, k] >= 0) & (np.array(data.speakers) == specs[name].speaker)
        x, y, g = data.feats[mask], data.labels[mask, k].astype(int), groups[mask]
        ruled = data.covered[mask, k] if data.covered is not None else np.zeros(len(y), bool)
        lex = None  # context signals read the line before, not the sentence's words
        if data.ngrams is not None and name not in CONTEXT_SIGNALS:
            lex = data.ngrams[np.nonzero(mask)[0]]
        if name in CONTEXT_SIGNALS:  # also learn it without a line before
            blind = x.copy()
            blind[:, dim:] = 0.0
            x, y, g = np.vstack([x, blind]), np.concatenate([y, y]), np.concatenate([g, g])
            ruled = np.concatenate([ruled, ruled])
            if name in COSINE_ONLY:
                x = np.hstack([x[:, :dim], x[:, -1:]])
        else:
            x = x[:, :dim]
        if y.sum() < MIN_POSITIVES or (y == 0).sum() < MIN_POSITIVES:
            progress(f"{name}: {int(y.sum())} positives; no head (examples still match)")
            continue

        oof = np.zeros(len(y))
        splits = min(folds, len(set(g)))
        for train, test in GroupKFold(n_splits=splits).split(x, y, g):
            if len(set(y[train])) < 2:
                continue
            scaler, regression = _fit(x, lex, y, train, strength, balance)
            oof[test] = regression.predict_proba(_design(scaler, x, lex, test))[:, 1]
        threshold, precision, recall = pick_threshold(oof, y, precision_floor, ruled)
        scaler, regression = _fit(x, lex, y, np.arange(len(y)), strength, balance)
        scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
        width = x.shape[1]
        folded = regression.coef_[0][:width] / scale  # the scaler folded into the weights
        if data.ngrams is not None:
            lexical.append(
                (regression.coef_[0][width:] * SCALE).astype(np.float32)
                if lex is not None
                else np.zeros(WIDTH, np.float32)
            )
        names.append(name)
        coef = np.zeros(data.feats.shape[1], dtype=np.float32)
        if name in COSINE_ONLY:
            coef[:dim], coef[-1] = folded[:dim], folded[-1]
        else:
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
        lexical=(np.vstack(lexical) if lexical else np.zeros((0, WIDTH), np.float32))
        if data.ngrams is not None
        else None,
    )


def _fit(
    x: np.ndarray,
    lex: sparse.csr_matrix | None,
    y: np.ndarray,
    rows: np.ndarray,
    strength: float,
    balance: str | None,
):  # noqa: ANN202  (scikit-learn's scaler and regression)
    """A scaler over ``x[rows]`` and the regression fitted on those rows."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x[rows])
    regression = LogisticRegression(C=strength, class_weight=balance, max_iter=3000)
    return scaler, regression.fit(_design(scaler, x, lex, rows), y[rows])


def _design(scaler, x: np.ndarray, lex: sparse.csr_matrix | None, rows: np.ndarray):
    """The regression's input for ``rows``: standardised embedding features, then the
    n-grams at :data:`~trainer.scoring.lexical.SCALE` (none: the features alone)."""
    dense = scaler.transform(x[rows])
    if lex is None:
        return dense
    return sparse.hstack([sparse.csr_matrix(dense), lex[rows] * SCALE], format="csr")


def pick_threshold(
    probs: np.ndarray,
    labels: np.ndarray,
    precision_floor: float,
    covered: np.ndarray | None = None,
) -> tuple[float, float, float]:
    """``(threshold, precision, recall)``: best F1 with precision >= the floor.

    Judged as the analyser decides: a row fires when its probability reaches the
    threshold or the signal's patterns match it (``covered``). When no threshold
    reaches the floor, the most precise one (ties: higher recall).
    """
    ruled = np.zeros(len(labels), bool) if covered is None else covered
    best: tuple[float, float, float, float] | None = None
    fallback: tuple[float, float, float] = (0.95, 0.0, 0.0)
    for threshold in np.arange(0.30, 0.99, 0.025):
        fired = (probs >= threshold) | ruled
        tp = float((fired & (labels == 1)).sum())
        precision = tp / fired.sum() if fired.sum() else 0.0
        recall = tp / max(1, (labels == 1).sum())
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        if precision >= precision_floor and (best is None or f1 > best[0]):
            best = (f1, float(threshold), precision, recall)
        if (precision, recall) > fallback[1:]:
            fallback = (float(threshold), precision, recall)
    return best[1:] if best is not None else fallback


def keep_embedding_heads(heads: SignalHeads, base: SignalHeads, names: set[str]) -> SignalHeads:
    """``heads`` with the heads of ``names`` taken from ``base`` (fitted without n-grams):
    their n-gram weights zero, their weights, bias and threshold ``base``'s."""
    if heads.lexical is None or not names:
        return heads
    weights, bias = heads.weights.copy(), heads.bias.copy()
    thresholds, lexical = heads.thresholds.copy(), heads.lexical.copy()
    own, theirs = heads.index(), base.index()
    for name in names & set(own) & set(theirs):
        k, j = own[name], theirs[name]
        weights[k], bias[k], thresholds[k] = base.weights[j], base.bias[j], base.thresholds[j]
        lexical[k] = 0.0
    return dataclasses.replace(
        heads, weights=weights, bias=bias, thresholds=thresholds, lexical=lexical
    )
