"""Calibrate the signal detectors against human labels, and prove it with k-fold CV.

``python -m trainer calibrate LABELS --rubric R --out PATH [--folds K]``:

1. reads the label file (format: :mod:`trainer.calibration.labels`, also
   ``docs/calibration.md``) and scores every call with the rubric as it is —
   the agreement *before*;
2. for every signal with labels (per call or per turn) that has semantic
   examples, fits the cosine threshold maximising F1 — and, with at least
   ``min_classifier_labels`` labels, a logistic regression on the sentence
   embeddings when it beats the threshold in an inner cross-validation;
3. measures the agreement *after* by k-fold cross-validation over calls: each
   fold is scored with detectors fitted on the other folds only, so the figure
   is what to expect on new calls, not on the labels it was fitted to;
4. fits on all calls and writes the calibrated rubric (thresholds, and
   ``classifier:`` where the signal schema accepts it), checked by loading it back.

EPITOME mechanism labels fit the mechanism model (``mechanism_fit.py``) on the
same folds; it is written beside the rubric as ``<out>.epitome.npz`` and named
in it (``epitome_model:``), so the scorecard's EPITOME levels come from it.
Nothing is written when agreement on any fitted mechanism, or on average, gets
worse, or when nothing was fitted.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from trainer.calibration.agreement import (
    AgreementReport,
    Pairs,
    collect_pairs,
    detect,
    graded_rubric,
    report,
)
from trainer.calibration.calibrated_rubric import calibrated_yaml
from trainer.calibration.detector_fit import (
    Item,
    SentenceScores,
    SignalModel,
    fit_signal,
    fit_threshold,
    redetect,
)
from trainer.calibration.detector_fit import score_turn as _score_turn
from trainer.calibration.embedding_cache import CachedEncoder
from trainer.calibration.fixture_check import kept_on_fixtures
from trainer.calibration.head_thresholds import (
    current_thresholds,
    head_scores,
    usable_heads,
    with_thresholds,
)
from trainer.calibration.labels import LabelledCall, resolve_key
from trainer.calibration.mechanism_fit import MechanismFit, fit_mechanisms, mechanism_labels
from trainer.paths import default_rubric_path
from trainer.rubric.model import Rubric, parse_rubric
from trainer.scoring.embeddings import Embedder, Encoder
from trainer.scoring.signal_heads import SignalHeads, bundled_heads, heads_path_for
from trainer.scoring.signals import Detection, SignalAnalyzer, SignalSpec

Scores = dict[str, dict[tuple[int, int], SentenceScores]]
"""signal -> (call, turn) -> that turn's sentence scores."""


@dataclass
class CalibrationResult:
    """What ``calibrate`` fitted, how agreement moved, and the calibrated rubric."""

    rubric: Rubric
    yaml_text: str
    before: AgreementReport
    after: AgreementReport
    folds: int
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    mechanisms: dict[str, int] = field(default_factory=dict)
    """EPITOME mechanisms the model was fitted for -> its training rows."""
    model_bytes: bytes | None = None
    """The fitted EPITOME model's ``.npz``, to write beside the rubric."""
    heads: SignalHeads | None = None
    """The learned heads with fitted thresholds, to write beside the rubric (None: unchanged)."""

    def table(self) -> str:
        """Before -> after, one row per label key."""
        rows = [f"{'label':40} {'n':>5} {'accuracy':>15} {'macro-F1':>15} {'kappa':>15}"]
        for b in self.before.items:
            a = self.after.item(b.kind, b.name)
            if a is None:
                continue
            name = b.name if b.kind == "criterion" else f"{b.name} ({b.kind})"
            rows.append(
                f"{name:40} {b.n:>5} {_arrow(b.accuracy, a.accuracy):>15} "
                f"{_arrow(b.macro_f1, a.macro_f1):>15} {_arrow(b.kappa, a.kappa):>15}"
            )
        means = [_arrow(self.before.mean(m), self.after.mean(m)) for m in _METRICS]
        rows.append(f"{'mean':40} {'':>5} {means[0]:>15} {means[1]:>15} {means[2]:>15}")
        return "\n".join(rows)


_METRICS = ("accuracy", "macro_f1", "kappa")


def _arrow(before: float | None, after: float | None) -> str:
    fmt = lambda v: "n/a" if v is None else f"{v:.3f}"  # noqa: E731
    return f"{fmt(before)} -> {fmt(after)}"


def labelled_signals(rubric: Rubric, calls: Sequence[LabelledCall]) -> list[str]:
    """Signals with call- or turn-level labels, in rubric order."""
    named = {t.signal for c in calls for t in c.turn_labels}
    for call in calls:
        for key in call.labels:
            kind, name = resolve_key(rubric, key)
            if kind == "signal":
                named.add(name)
    return [s for s in rubric.signals if s in named]


def _sentence_scores(rubric: Rubric, calls: Sequence[LabelledCall], signals: list[str],
                     encoder: Encoder) -> Scores:  # fmt: skip
    scores: Scores = {}
    for signal in signals:
        spec = rubric.signals[signal]
        examples = encoder.encode(spec.examples)
        counter = encoder.encode(spec.counter_examples) if spec.counter_examples else examples[:0]
        scores[signal] = {
            (c, t): _score_turn(turn.text, spec, examples, counter, encoder.encode)
            for c, call in enumerate(calls)
            for t, turn in enumerate(call.turns)
            if turn.speaker == spec.speaker
        }
    return scores


def _items(rubric: Rubric, calls: Sequence[LabelledCall], signal: str,
           scores: Scores) -> list[tuple[int, Item]]:  # fmt: skip
    """(call index, labelled unit) for every label of one signal."""
    out: list[tuple[int, Item]] = []
    turns = scores[signal]
    by_call: dict[int, list[SentenceScores]] = {}
    for (c, _), scored in sorted(turns.items(), key=lambda kv: kv[0]):
        by_call.setdefault(c, []).append(scored)
    for c, call in enumerate(calls):
        for key, value in call.labels.items():
            if resolve_key(rubric, key) == ("signal", signal) and isinstance(value, bool):
                out.append((c, (by_call.get(c, []), value)))
        for label in call.turn_labels:
            if label.signal == signal and (c, label.turn) in turns:
                out.append((c, ([turns[(c, label.turn)]], label.present)))
    return out


def _fit(rubric: Rubric, items: dict[str, list[tuple[int, Item]]], calls: set[int],
         classifiers: bool, min_labels: int,
         headed: dict[str, float]) -> dict[str, SignalModel]:  # fmt: skip
    """Each signal's detector fitted on the given calls: a headed signal's head threshold
    (from its current one), else the cosine threshold or a classifier."""
    out = {}
    for signal, units in items.items():
        mine = [it for c, it in units if c in calls]
        if signal in headed:
            out[signal] = SignalModel(fit_threshold(mine, headed[signal]))
        else:
            spec = rubric.signals[signal]
            out[signal] = fit_signal(mine, spec, classifiers=classifiers, min_labels=min_labels)
    return out


def _apply(models: dict[str, SignalModel], scores: Scores, c: int,
           found: Sequence[Sequence[Detection]]) -> list[list[Detection]]:  # fmt: skip
    out = [list(row) for row in found]
    for signal, model in models.items():
        turns = {t: scores[signal][(c, t)] for t in range(len(found)) if (c, t) in scores[signal]}
        out = redetect(out, signal, model, turns)
    return out


def calibrate(
    rubric: Rubric,
    labelled: Sequence[LabelledCall],
    k: int = 5,
    *,
    embedder: Encoder | None = None,
    classifiers: bool | None = None,
    min_classifier_labels: int = 40,
    model_name: str = "calibrated.epitome.npz",
    cache_dir: str | Path | None = None,
    progress: TextIO | None = sys.stderr,
    heads: SignalHeads | str | None = None,
    check_fixtures: bool = True,
) -> CalibrationResult:
    """Fit detector thresholds (and classifiers) to human labels; report k-fold agreement.

    ``classifiers`` defaults to whether the rubric's signal schema has a
    ``classifier`` field. ``embedder`` defaults to the shared MiniLM. Mechanism
    labels fit the EPITOME model, named ``model_name`` in the rubric (the file
    is written beside it); its embeddings are cached under ``cache_dir``
    (default: the user cache) and progress goes to ``progress``. A signal with a learned
    head (``heads``, default the rubric's own or the bundled ones) has its head threshold
    fitted, not its cosine threshold, which the analyser would not use. A fitted signal
    whose precision on the shipped signal cases would fall keeps its detector
    (``check_fixtures``).
    """
    if len(labelled) < 2:
        raise ValueError(f"calibration needs at least 2 labelled calls (got {len(labelled)})")
    k = max(2, min(k, len(labelled)))
    supported = "classifier" in SignalSpec.model_fields
    classifiers = supported if classifiers is None else classifiers and supported
    graded = graded_rubric(rubric, labelled)
    encoder = CachedEncoder(embedder or Embedder.shared(), cache_dir, progress=progress)
    run_with = _heads_of(rubric) if heads is None else heads
    analyzer = SignalAnalyzer(rubric.signals, encoder, heads=run_with)
    own_heads = usable_heads(bundled_heads() if isinstance(run_with, str) else run_with, encoder)
    base = detect(analyzer, labelled)
    notes = [] if supported else ["the signal schema has no `classifier` field: thresholds only"]
    signals, headed_signals = [], []
    for signal in labelled_signals(rubric, labelled):
        if own_heads is not None and signal in own_heads.names:
            headed_signals.append(signal)
        elif rubric.signals[signal].examples:
            signals.append(signal)
        else:
            notes.append(f"{signal}: patterns only, no threshold to fit")
    scores = _sentence_scores(rubric, labelled, signals, encoder)
    headed: dict[str, float] = {}
    if own_heads is not None and headed_signals:
        scores |= head_scores(rubric.signals, own_heads, encoder, labelled, headed_signals)
        headed = current_thresholds(own_heads, headed_signals)
    items = {s: _items(rubric, labelled, s, scores) for s in signals + headed_signals}
    before = report(collect_pairs(graded, labelled, base), len(labelled))
    final = _fit(rubric, items, set(range(len(labelled))), classifiers, min_classifier_labels,
                 headed)  # fmt: skip
    kept = kept_on_fixtures(rubric, analyzer, final, headed, own_heads, encoder, notes,
                            check_fixtures)  # fmt: skip
    items = {s: units for s, units in items.items() if s in kept}
    signals = [s for s in signals if s in kept]
    final = {s: m for s, m in final.items() if s in kept}
    fold = np.random.RandomState(0).permutation(len(labelled)) % k
    pooled: Pairs = {}
    for f in range(k):
        train = {c for c in range(len(labelled)) if fold[c] != f}
        models = _fit(rubric, items, train, classifiers, min_classifier_labels, headed)
        test = [c for c in range(len(labelled)) if fold[c] == f]
        found = [_apply(models, scores, c, base[c]) for c in test]
        collect_pairs(graded, [labelled[c] for c in test], found, pooled)
    mechanisms = MechanismFit(None)
    if mechanism_labels(rubric, labelled):
        mechanisms = fit_mechanisms(rubric, labelled, encoder, fold, progress=progress)
        notes += mechanisms.notes
        truth = mechanism_labels(rubric, labelled)
        for mechanism, predicted in mechanisms.predicted.items():
            pooled[("epitome", mechanism)] = [(truth[mechanism][c], predicted[c])
                                              for c in sorted(predicted)]  # fmt: skip
    after = report(pooled, len(labelled))
    model_bytes = mechanisms.model.to_bytes() if mechanisms.model is not None else None
    model_ref = None
    if model_bytes is not None:
        model_ref = {"file": model_name, "sha256": hashlib.sha256(model_bytes).hexdigest()}
    on_heads = {s: m.threshold for s, m in final.items() if s in headed}
    new_heads = with_thresholds(own_heads, on_heads) if own_heads and on_heads else None
    text = calibrated_yaml(rubric, {s: final[s] for s in signals}, len(labelled), k, model_ref)
    changes = {
        s: {
            "threshold": [headed.get(s, rubric.signals[s].threshold), final[s].threshold],
            "detector": "head" if s in headed else
                        "classifier" if final[s].is_classifier else "threshold",
            "labels": len(items[s]),
            "positive": sum(label for _, (_, label) in items[s]),
        }
        for s in final
    }  # fmt: skip
    fitted = {m: mechanisms.rows[m] for m in mechanisms.predicted}
    return CalibrationResult(parse_rubric(text, "<calibrated>"), text, before, after, k, changes,
                             notes, fitted, model_bytes, new_heads)  # fmt: skip


def _heads_of(rubric: Rubric) -> SignalHeads | str:
    """The learned heads the rubric is scored with (as ``analyzer_for`` picks them)."""
    own = rubric.heads_file()
    if own is not None and own != heads_path_for(default_rubric_path()):
        return SignalHeads.load(own)
    return "bundled"
