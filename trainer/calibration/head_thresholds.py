"""Calibrate what the analyser really runs: the learned heads' probability thresholds.

A signal with a learned head (the bundled ``default.heads.npz``, or a rubric's own
``<name>.heads.npz``) is decided by the head, not by its cosine ``threshold`` in the
rubric: moving that cosine threshold would change nothing the scorecard shows. So
``calibrate`` fits such a signal's *head threshold*, and writes the heads, thresholds
changed, beside the calibrated rubric (``<out>.heads.npz``), where the scorer finds them.

:func:`head_scores` gives, per labelled turn, the numbers a threshold is tried on
without running the analyser again: the sentences that fire whatever the threshold (a
pattern, or a context rule such as a read-back of the caller's words) as ``pattern``,
and each other sentence's head probability (0 where a veto stops the head) as ``pos``.
They come from two analyser runs over the same turns, one with every head threshold
at 0 (every probability shows) and one at 2 (no head fires), so they are exactly the
analyser's own decisions, vetoes, quoted speech and context included.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np

from trainer.calibration.agreement import detect
from trainer.calibration.detector_fit import SentenceScores
from trainer.calibration.labels import LabelledCall
from trainer.rubric.signal_specs import SignalSpec
from trainer.scoring.embeddings import Encoder
from trainer.scoring.sentences import split_sentences
from trainer.scoring.signal_heads import SignalHeads
from trainer.scoring.signals import SignalAnalyzer

Scores = dict[str, dict[tuple[int, int], SentenceScores]]
"""signal -> (call, turn) -> that turn's sentence scores."""


def usable_heads(heads: SignalHeads | None, encoder: Encoder) -> SignalHeads | None:
    """The heads, or None when they were fitted on another encoder's vectors (the
    analyser would not use them either)."""
    if heads is None or not heads.names:
        return None
    width = encoder.encode(["width check"]).shape[1]
    return heads if width == heads.dim else None


def head_scores(specs: Mapping[str, SignalSpec], heads: SignalHeads, encoder: Encoder,
                calls: Sequence[LabelledCall], signals: Sequence[str]) -> Scores:  # fmt: skip
    """Per labelled turn of each headed signal's speaker: what fires whatever the head
    threshold (``pattern``) and the head's probability per sentence (``pos``)."""
    every = SignalAnalyzer(specs, encoder, heads=_all_at(heads, 0.0))
    none = SignalAnalyzer(specs, encoder, heads=_all_at(heads, 2.0))
    probable, fixed = detect(every, calls), detect(none, calls)
    out: Scores = {s: {} for s in signals}
    for c, call in enumerate(calls):
        for t, turn in enumerate(call.turns):
            sentences = split_sentences(turn.text or "")
            for signal in signals:
                if turn.speaker != specs[signal].speaker:
                    continue
                always = {d.sentence for d in fixed[c][t] if d.signal == signal}
                prob: dict[str, float] = {}
                for d in probable[c][t]:
                    if d.signal == signal and d.method == "classifier":
                        prob[d.sentence] = max(prob.get(d.sentence, 0.0), d.score)
                n = len(sentences)
                out[signal][(c, t)] = SentenceScores(
                    sentences,
                    np.array([s in always for s in sentences], dtype=bool),
                    np.array([prob.get(s, 0.0) for s in sentences], dtype=float),
                    np.ones(n, dtype=bool),
                    np.zeros((n, 1)),
                )
    return out


def with_thresholds(heads: SignalHeads, thresholds: Mapping[str, float]) -> SignalHeads:
    """The heads with some signals' thresholds replaced (the others as they were)."""
    index = heads.index()
    new = heads.thresholds.astype(np.float32).copy()
    for name, value in thresholds.items():
        new[index[name]] = value
    return dataclasses.replace(heads, thresholds=new)


def _all_at(heads: SignalHeads, value: float) -> SignalHeads:
    return dataclasses.replace(heads, thresholds=np.full_like(heads.thresholds, value))


def current_thresholds(heads: SignalHeads, signals: Sequence[str]) -> dict[str, float]:
    """Each headed signal's threshold as shipped, rounded as it is reported."""
    index = heads.index()
    return {s: round(float(heads.thresholds[index[s]]), 4) for s in signals}
