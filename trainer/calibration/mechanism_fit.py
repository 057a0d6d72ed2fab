"""Fit the EPITOME mechanism model to none / weak / strong labels, k-fold checked.

``calibrate`` calls :func:`fit_mechanisms` when the label file has mechanism labels
(``emotional_reactions``, ``interpretations``, ``explorations``). Per mechanism:

1. training rows: the agent turn of every labelled call with one agent turn, and
   every agent turn of a longer call labelled ``none`` (no turn shows it); a
   longer call labelled weak or strong does not say which turn, so it only
   counts in the evaluation (its level is its highest turn's, as on the scorecard);
2. features: ``empathy_model.features`` (MiniLM of the turn and of the customer's
   last two turns, their product, hashed TF-IDF of the turn's words and characters);
3. a multinomial logistic regression with balanced class weights, then per-class
   offsets on its log-probabilities chosen for macro-F1, with the precision of
   "shown at all" (weak or strong) held at ``precision_floor`` or above when any
   setting reaches it;
4. the call levels every call gets from a model fitted without its fold
   (``folds`` given by ``calibrate``): the agreement *after*. The fold's offsets
   are chosen on the out-of-fold log-probabilities of the *other* folds' rows
   (one regression per fold, no inner loop: 2 cores); those come from models
   that saw the fold's rows, a small optimism in 2 numbers, not in the weights.

A mechanism with fewer than ``MIN_LABELS`` training rows, or fewer than two
classes, is not fitted and the notes say why.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TextIO

import numpy as np

from trainer.calibration.embedding_cache import model_key
from trainer.calibration.labels import LabelledCall, label_value, resolve_key
from trainer.rubric.model import Rubric
from trainer.scoring.embeddings import Encoder
from trainer.scoring.empathy import MECHANISMS, agent_contexts
from trainer.scoring.empathy_model import (
    EpitomeModel,
    Lexical,
    MechanismModel,
    decide,
    features,
    log_probs,
    tfidf,
)

MIN_LABELS = 30
GRID = np.round(np.arange(-3.0, 3.01, 0.25), 2)


@dataclass
class MechanismFit:
    """The model fitted on every call, the cross-validated call levels, and notes."""

    model: EpitomeModel | None
    predicted: dict[str, dict[int, int]] = field(default_factory=dict)
    """mechanism -> call index -> level from the model of the other folds."""
    rows: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def mechanism_labels(rubric: Rubric, calls: Sequence[LabelledCall]) -> dict[str, dict[int, int]]:
    """mechanism -> call index -> labelled level (0 / 1 / 2)."""
    out: dict[str, dict[int, int]] = {}
    for c, call in enumerate(calls):
        for key, value in call.labels.items():
            kind, name = resolve_key(rubric, key)
            if kind == "epitome":
                out.setdefault(name, {})[c] = int(label_value(kind, value))
    return {m: out[m] for m in MECHANISMS if m in out}


def choose_offsets(logp: np.ndarray, y: np.ndarray, precision_floor: float) -> np.ndarray:
    """Offsets (none fixed at 0) maximising macro-F1; "shown" precision >= the floor if it can."""
    present = sorted(set(y.tolist()))
    best: tuple[bool, float, float] | None = None
    chosen = np.zeros(3)
    for weak in GRID:
        for strong in GRID:
            offsets = np.array([0.0, weak, strong])
            guess = decide(logp, offsets)
            shown = guess > 0
            precision = float((y[shown] > 0).mean()) if shown.any() else 1.0
            f1 = macro_f1(y, guess, present)
            key = (precision >= precision_floor, round(float(f1), 6), -abs(weak) - abs(strong))
            if best is None or key > best:
                best, chosen = key, offsets
    return chosen


def macro_f1(truth: np.ndarray, guess: np.ndarray, classes: Sequence[int]) -> float:
    """Mean F1 over ``classes`` (0 where a class has no true or predicted rows)."""
    scores = []
    for cls in classes:
        tp = float(np.sum((guess == cls) & (truth == cls)))
        denominator = float(np.sum(guess == cls) + np.sum(truth == cls))
        scores.append(2 * tp / denominator if denominator else 0.0)
    return float(np.mean(scores)) if scores else 0.0


def _regression(x, y: np.ndarray, strength: float) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    """(coef 3 x d, intercept 3) of a balanced multinomial logistic regression."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=strength, class_weight="balanced", max_iter=500)
    lr.fit(x, y)
    coef = np.zeros((3, x.shape[1]), dtype=np.float32)
    intercept = np.full(3, -30.0, dtype=np.float32)  # a class never seen is never chosen
    if len(lr.classes_) == 2:  # binary: sklearn keeps one row for the second class
        coef[lr.classes_[1]], intercept[lr.classes_[1]] = lr.coef_[0], lr.intercept_[0]
        intercept[lr.classes_[0]] = 0.0
    else:
        for row, cls in enumerate(lr.classes_):
            coef[cls], intercept[cls] = lr.coef_[row], lr.intercept_[row]
    return coef, intercept


class _Fitter:
    """Features of every agent turn, computed once; fits on any subset of rows."""

    def __init__(self, calls: Sequence[LabelledCall], encoder: Encoder, lexical: Lexical,
                 scale: float, strength: float, floor: float) -> None:  # fmt: skip
        self.units = [(c, *row) for c, call in enumerate(calls)
                      for row in agent_contexts([t.speaker for t in call.turns],
                                                [t.text for t in call.turns])]  # fmt: skip
        texts, contexts = [u[2] for u in self.units], [u[3] for u in self.units]
        zero_idf = np.zeros(2**lexical.word_bits + 2**lexical.char_bits, dtype=np.float32)
        x = features(texts, contexts, encoder, lexical, zero_idf, scale)
        self.dense = x[:, : x.shape[1] - len(zero_idf)]
        self.counts = lexical.counts(texts)
        self.lexical, self.strength, self.floor = lexical, strength, floor
        self.by_call: dict[int, list[int]] = {}
        for i, unit in enumerate(self.units):
            self.by_call.setdefault(unit[0], []).append(i)

    def rows(self, labels: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """Training rows (unit indices) and their levels for one mechanism's labels."""
        idx, y = [], []
        for c, level in labels.items():
            units = self.by_call.get(c, [])
            if len(units) == 1 or (units and level == 0):
                idx += units
                y += [level] * len(units)
        return np.array(idx, dtype=int), np.array(y, dtype=int)

    def matrix(self, idx: np.ndarray, idf: np.ndarray):  # noqa: ANN201
        from scipy.sparse import hstack

        return hstack([self.dense[idx], tfidf(self.counts[idx], idf)]).tocsr()

    def idf(self, fold: np.ndarray, f: int | None) -> np.ndarray:
        """IDF over the agent turns of the calls outside fold ``f`` (all calls: None)."""
        keep = [i for i, u in enumerate(self.units) if f is None or fold[u[0]] != f]
        return self.lexical.idf(self.counts[keep])

    def regression(self, idx: np.ndarray, y: np.ndarray, idf: np.ndarray) -> tuple:
        """(coef, intercept) on rows ``idx``."""
        return _regression(self.matrix(idx, idf), y, self.strength)

    def call_levels(self, model: MechanismModel, idf: np.ndarray, calls: list[int]) -> dict:
        """call -> its highest agent turn's level (0 for a call without agent turns)."""
        units = [i for c in calls for i in self.by_call.get(c, [])]
        out = dict.fromkeys(calls, 0)
        if units:
            levels = model.levels(self.matrix(np.array(units, dtype=int), idf))
            for unit, level in zip(units, levels, strict=True):
                c = self.units[unit][0]
                out[c] = max(out[c], int(level))
        return out


def fit_mechanisms(
    rubric: Rubric,
    calls: Sequence[LabelledCall],
    encoder: Encoder,
    fold: np.ndarray,
    *,
    precision_floor: float = 0.6,
    strength: float = 1.0,
    embed_scale: float = 0.5,
    lexical: Lexical | None = None,
    progress: TextIO | None = sys.stderr,
) -> MechanismFit:
    """Fit every labelled mechanism; ``fold[c]`` is call ``c``'s cross-validation fold."""
    labels = mechanism_labels(rubric, calls)
    if not labels:
        return MechanismFit(None)
    fitter = _Fitter(calls, encoder, lexical or Lexical(), embed_scale, strength,
                     precision_floor)  # fmt: skip
    result, final = MechanismFit(None), {}
    k = int(fold.max()) + 1
    idfs = [fitter.idf(fold, f) for f in range(k)]
    for mechanism, labelled in labels.items():
        idx, y = fitter.rows(labelled)
        result.rows[mechanism] = len(idx)
        if len(idx) < MIN_LABELS or len(set(y.tolist())) < 2:
            levels = len(set(y.tolist()))
            result.notes.append(f"{mechanism}: not fitted ({len(idx)} training rows, {levels} "
                                f"levels; needs {MIN_LABELS} and 2)")  # fmt: skip
            continue
        unit_calls = np.array([fitter.units[i][0] for i in idx])
        logp = np.zeros((len(y), 3))
        models: dict[int, tuple] = {}
        for f in range(k):
            if progress is not None:
                print(f"{mechanism}: fold {f + 1}/{k}", file=progress, flush=True)
            train, test = fold[unit_calls] != f, fold[unit_calls] == f
            if len(set(y[train].tolist())) < 2:
                continue
            models[f] = fitter.regression(idx[train], y[train], idfs[f])
            logp[test] = log_probs(fitter.matrix(idx[test], idfs[f]), *models[f])
        predicted: dict[int, int] = {}
        for f in range(k):
            test = [c for c in labelled if fold[c] == f]
            if f not in models:
                predicted.update(dict.fromkeys(test, 0))
                continue
            others = fold[unit_calls] != f
            offsets = choose_offsets(logp[others], y[others], fitter.floor)
            model = MechanismModel(*models[f], offsets)
            predicted.update(fitter.call_levels(model, idfs[f], test))
        result.predicted[mechanism] = predicted
        if progress is not None:
            print(f"{mechanism}: fitting on all calls", file=progress, flush=True)
        coef, intercept = fitter.regression(idx, y, fitter.idf(fold, None))
        final[mechanism] = MechanismModel(coef, intercept, choose_offsets(logp, y, fitter.floor))
    if final:
        result.model = EpitomeModel(final, fitter.idf(fold, None), fitter.lexical, embed_scale,
                                    model_key(encoder))  # fmt: skip
    return result
