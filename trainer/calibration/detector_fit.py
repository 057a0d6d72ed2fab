"""Fit one signal's detector to human labels: a cosine threshold, or a small classifier.

The analyser fires a signal on a sentence when a pattern matches, or when the
sentence's best cosine to the signal's examples reaches ``threshold`` (and beats
its best cosine to the counter-examples). :class:`SentenceScores` holds exactly
those numbers per labelled turn, so a new threshold can be tried without
re-embedding anything, and :func:`redetect` rewrites the analyser's detections
as the fitted detector would have made them.

With plenty of labels a logistic regression on the sentence embeddings may
replace the threshold (``classifier: {weights, bias, threshold}``): it is kept
only when it beats the threshold in an inner cross-validation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from trainer.scoring.sentences import split_sentences
from trainer.scoring.signals import Detection, SignalSpec

THRESHOLD_RANGE = (0.3, 0.95)
"""Thresholds outside this range are never chosen."""
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


@dataclass(frozen=True)
class SentenceScores:
    """One turn's sentences, scored for one signal (as the analyser scores them)."""

    sentences: list[str]
    pattern: np.ndarray  # bool per sentence: a pattern matched
    pos: np.ndarray  # best cosine to the examples
    eligible: np.ndarray  # bool: no counter-examples, or pos beats them
    vectors: np.ndarray  # (n, dim) sentence embeddings


def score_turn(text: str, spec: SignalSpec, examples: np.ndarray, counter: np.ndarray,
               encode) -> SentenceScores:  # fmt: skip
    """Score a turn's sentences for one signal; ``encode`` maps sentences to unit vectors."""
    sentences = split_sentences(text or "")
    patterns = spec.compiled()
    pattern = np.array([any(p.search(s.translate(_QUOTES)) for p in patterns) for s in sentences],
                       dtype=bool)  # fmt: skip
    if not sentences:
        empty = np.zeros(0)
        return SentenceScores([], pattern, empty, empty.astype(bool), np.zeros((0, 1)))
    vectors = encode(sentences)
    pos = (vectors @ examples.T).max(axis=1) if len(examples) else np.full(len(sentences), -1.0)
    eligible = np.ones(len(sentences), dtype=bool)
    if len(counter):
        eligible = pos > (vectors @ counter.T).max(axis=1)
    return SentenceScores(sentences, pattern, pos, eligible, vectors)


@dataclass(frozen=True)
class SignalModel:
    """A fitted detector: cosine ``threshold``, or a logistic-regression ``classifier``."""

    threshold: float
    weights: tuple[float, ...] | None = None
    bias: float = 0.0
    probability: float = 0.5

    @property
    def is_classifier(self) -> bool:
        return self.weights is not None

    def scores(self, turn: SentenceScores) -> tuple[np.ndarray, np.ndarray]:
        """(fires, score) per sentence; a pattern match fires with score 1.0."""
        if self.weights is not None and len(turn.sentences):
            logits = turn.vectors @ np.asarray(self.weights) + self.bias
            score = 1.0 / (1.0 + np.exp(-logits))
            semantic = score >= self.probability
        else:
            score = turn.pos
            semantic = (turn.pos >= self.threshold) & turn.eligible
        fires = turn.pattern | semantic
        return fires, np.where(turn.pattern, 1.0, score)

    def fires(self, turns: Sequence[SentenceScores]) -> bool:
        """Does any sentence of these turns show the signal?"""
        return any(bool(self.scores(t)[0].any()) for t in turns)

    def as_yaml(self) -> dict:
        """The ``classifier:`` mapping written into the rubric."""
        assert self.weights is not None
        return {
            "weights": [round(float(w), 6) for w in self.weights],
            "bias": round(float(self.bias), 6),
            "threshold": self.probability,
        }


Item = tuple[list[SentenceScores], bool]
"""A labelled unit (one turn, or every turn of the signal's speaker in a call) and its label."""


def f1(truth: Sequence[bool], guess: Sequence[bool]) -> float:
    """F1 of the positive class (0 when there is no positive on either side)."""
    tp = sum(a and b for a, b in zip(truth, guess, strict=True))
    fp = sum(b and not a for a, b in zip(truth, guess, strict=True))
    fn = sum(a and not b for a, b in zip(truth, guess, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


PRECISION_FLOOR = 0.8
"""A fitted threshold keeps precision on the labels at least this high (or, when the
current threshold is below it already, at least as high as the current one)."""


def macro_f1(truth: Sequence[bool], guess: Sequence[bool]) -> float:
    """Mean of the F1 of "shows the signal" and of "does not": a threshold that fires on
    everything scores about half, however many positives it finds."""
    flip = lambda xs: [not x for x in xs]  # noqa: E731
    return (f1(truth, guess) + f1(flip(truth), flip(guess))) / 2


def _precision(truth: Sequence[bool], guess: Sequence[bool]) -> float:
    fired = sum(guess)
    return sum(a and b for a, b in zip(truth, guess, strict=True)) / fired if fired else 1.0


def fit_threshold(items: Sequence[Item], current: float) -> float:
    """The threshold maximising macro-F1 on the items among those that keep precision at
    :data:`PRECISION_FLOOR` (or the current threshold's, when that is lower); ties go to
    the one nearest ``current``. ``current`` when no candidate does better."""
    truth = [label for _, label in items]
    if not any(truth):
        return current
    pattern = [any(bool(t.pattern.any()) for t in turns) for turns, _ in items]
    best = [max((float(p) for t in turns for p in t.pos[t.eligible]), default=-1.0)
            for turns, _ in items]  # fmt: skip
    guess_at = lambda th: [p or b >= th for p, b in zip(pattern, best, strict=True)]  # noqa: E731
    floor = min(PRECISION_FLOOR, _precision(truth, guess_at(current)))
    lo, hi = THRESHOLD_RANGE
    candidates = sorted({round(b, 4) for b in best if lo <= b <= hi} | {current})
    ranked = []
    for threshold in candidates:
        guess = guess_at(threshold)
        if threshold != current and _precision(truth, guess) < floor:
            continue
        ranked.append((macro_f1(truth, guess), -abs(threshold - current), threshold))
    return max(ranked)[2]


def fit_classifier(items: Sequence[Item], threshold: float, seed: int = 0) -> SignalModel | None:
    """Logistic regression on sentence vectors; ``None`` when a class has under 5 sentences.

    A positive unit contributes its sentence most like the examples; every
    sentence of a negative unit is a negative.
    """
    from sklearn.linear_model import LogisticRegression

    xs, ys = [], []
    for turns, label in items:
        sentences = [(t.pos[i], t.vectors[i]) for t in turns for i in range(len(t.sentences))]
        if not sentences:
            continue
        if label:
            xs.append(max(sentences, key=lambda s: s[0])[1])
            ys.append(1)
        else:
            xs += [v for _, v in sentences]
            ys += [0] * len(sentences)
    if min(ys.count(0), ys.count(1)) < 5:
        return None
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000, random_state=seed)
    model.fit(np.vstack(xs), np.array(ys))
    weights = tuple(float(w) for w in model.coef_[0])
    return SignalModel(threshold, weights, float(model.intercept_[0]))


def fit_signal(items: Sequence[Item], spec: SignalSpec, *, classifiers: bool,
               min_labels: int = 40, inner_folds: int = 3) -> SignalModel:  # fmt: skip
    """The best detector for the items: a threshold, or a classifier that beats it."""
    threshold = fit_threshold(items, spec.threshold)
    model = SignalModel(threshold)
    labels = [label for _, label in items]
    if (
        not classifiers
        or len(items) < min_labels
        or min(labels.count(True), labels.count(False)) < 8
    ):
        return model
    fold = [i % inner_folds for i in range(len(items))]
    scores = {"threshold": [], "classifier": []}
    for f in range(inner_folds):
        train = [it for it, g in zip(items, fold, strict=True) if g != f]
        test = [it for it, g in zip(items, fold, strict=True) if g == f]
        truth = [label for _, label in test]
        candidate = fit_classifier(train, threshold)
        if candidate is None:
            return model
        plain = SignalModel(fit_threshold(train, spec.threshold))
        scores["threshold"].append(f1(truth, [plain.fires(t) for t, _ in test]))
        scores["classifier"].append(f1(truth, [candidate.fires(t) for t, _ in test]))
    if np.mean(scores["classifier"]) > np.mean(scores["threshold"]):
        return fit_classifier(items, threshold) or model
    return model


def redetect(found: Sequence[Sequence[Detection]], signal: str, model: SignalModel,
             turns: dict[int, SentenceScores]) -> list[list[Detection]]:  # fmt: skip
    """One call's detections with ``signal`` decided by ``model`` on the given turns."""
    out = [list(row) for row in found]
    for turn, scored in turns.items():
        out[turn] = [d for d in out[turn] if d.signal != signal]
        fires, score = model.scores(scored)
        for i, sentence in enumerate(scored.sentences):
            if fires[i]:
                method = "pattern" if scored.pattern[i] else "semantic"
                out[turn].append(
                    Detection(signal, turn, sentence, round(float(score[i]), 4), method)
                )
    return out


def same_detections(a: Sequence[Detection], b: Sequence[Detection]) -> bool:
    """Equal as sets of (signal, sentence, method) — order and tiny score noise ignored."""
    key = lambda d: (d.signal, d.sentence, d.method)  # noqa: E731
    return sorted(map(key, a)) == sorted(map(key, b))
