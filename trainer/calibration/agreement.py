"""Agreement between the rubric and human graders: accuracy, macro-F1, Cohen's kappa.

``agreement(rubric, labelled)`` scores every labelled call (label file format:
:mod:`trainer.calibration.labels`) and compares, label by label:

- criteria (passed / failed / not applicable) and signals (present or not, per
  call or per turn): accuracy, macro-F1 and Cohen's kappa;
- EPITOME levels (none < weak < strong): the same, with quadratic-weighted
  kappa, because "weak" for "strong" is a smaller miss than "none".

Kappa is ``None`` where it is undefined (both graders gave one single class).
``python -m trainer agreement LABELS --rubric R`` prints the table.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel

from trainer.calibration.labels import (
    LabelError,
    LabelledCall,
    label_value,
    load_labels,
    resolve_key,
)
from trainer.rubric.model import Rubric, RubricError, load_rubric, with_requirements
from trainer.scoring.empathy import level_value
from trainer.scoring.scorer import analyzer_for, score_transcript
from trainer.scoring.signals import Detection, SignalAnalyzer

Level = Literal["criterion", "signal", "turn", "epitome"]
Pairs = dict[tuple[Level, str], list[tuple[Any, Any]]]
"""(kind, name) -> [(human label, rubric's answer), ...]."""


class Agreement(BaseModel):
    """Agreement on one label key."""

    kind: Level
    name: str
    n: int
    accuracy: float
    macro_f1: float
    kappa: float | None
    weighting: Literal["none", "quadratic"] = "none"


class AgreementReport(BaseModel):
    """Agreement on every label key, and their means."""

    calls: int
    items: list[Agreement]

    def mean(self, field: str) -> float | None:
        values = [getattr(i, field) for i in self.items if getattr(i, field) is not None]
        return round(sum(values) / len(values), 4) if values else None

    def item(self, kind: Level, name: str) -> Agreement | None:
        return next((i for i in self.items if (i.kind, i.name) == (kind, name)), None)

    def table(self) -> str:
        """A plain-text table for the terminal."""
        rows = [f"{'label':40} {'n':>5} {'acc':>6} {'F1':>6} {'kappa':>6}"]
        for i in self.items:
            rows.append(
                f"{_display(i.kind, i.name):40} {i.n:>5} {i.accuracy:>6.3f} {i.macro_f1:>6.3f} "
                f"{_fmt(i.kappa):>6}{' (quadratic)' if i.weighting == 'quadratic' else ''}"
            )
        rows.append(
            f"{'mean':40} {'':>5} {_fmt(self.mean('accuracy')):>6} "
            f"{_fmt(self.mean('macro_f1')):>6} {_fmt(self.mean('kappa')):>6}"
        )
        return "\n".join(rows)


def _display(kind: Level, name: str) -> str:
    return {"criterion": name, "signal": f"{name} (call)", "turn": f"{name} (turn)",
            "epitome": f"{name} (EPITOME)"}[kind]  # fmt: skip


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def metrics(kind: Level, name: str, pairs: Sequence[tuple[Any, Any]]) -> Agreement:
    """Accuracy, macro-F1 and Cohen's kappa of (label, prediction) pairs."""
    from sklearn.metrics import cohen_kappa_score, f1_score

    truth = [str(a) for a, _ in pairs] if kind != "epitome" else [a for a, _ in pairs]
    guess = [str(b) for _, b in pairs] if kind != "epitome" else [b for _, b in pairs]
    ordinal = kind == "epitome"
    classes = [0, 1, 2] if ordinal else sorted(set(truth) | set(guess))
    accuracy = sum(a == b for a, b in zip(truth, guess, strict=True)) / len(truth)
    present = sorted(set(truth) | set(guess))
    f1 = f1_score(truth, guess, labels=present, average="macro", zero_division=0)
    kappa = None
    if len(present) > 1:
        kappa = float(
            cohen_kappa_score(
                truth, guess, labels=classes, weights="quadratic" if ordinal else None
            )
        )
    return Agreement(
        kind=kind,
        name=name,
        n=len(truth),
        accuracy=round(accuracy, 4),
        macro_f1=round(float(f1), 4),
        kappa=None if kappa is None else round(kappa, 4),
        weighting="quadratic" if ordinal else "none",
    )


def report(pairs: Pairs, calls: int) -> AgreementReport:
    """The report of pooled pairs, one row per label key (sorted by kind, then name)."""
    order = {"criterion": 0, "signal": 1, "turn": 2, "epitome": 3}
    keys = sorted(pairs, key=lambda k: (order[k[0]], k[1]))
    return AgreementReport(calls=calls, items=[metrics(k, n, pairs[(k, n)]) for k, n in keys])


def detect(analyzer: SignalAnalyzer, calls: Sequence[LabelledCall]) -> list[list[list[Detection]]]:
    """The analyser's detections for each call, all sentences embedded in one batch.

    Each call is its own context: an agent turn is read against what the caller said
    earlier in the same call, never in the call before it."""
    flat = [(t.speaker, t.text) for call in calls for t in call.turns]
    found = analyzer.analyse_turns(flat, [len(call.turns) for call in calls])
    out, start = [], 0
    for call in calls:
        rows = found[start : start + len(call.turns)]
        out.append([[dataclasses.replace(d, turn=i) for d in row] for i, row in enumerate(rows)])
        start += len(call.turns)
    return out


def graded_rubric(rubric: Rubric, calls: Sequence[LabelledCall]) -> Rubric:
    """The rubric with every labelled criterion graded (optional ones included)."""
    ids = {
        name
        for call in calls
        for key in call.labels
        for kind, name in [resolve_key(rubric, key)]
        if kind == "criterion"
    }
    return with_requirements(rubric, sorted(ids))


def collect_pairs(
    rubric: Rubric,
    calls: Sequence[LabelledCall],
    detections: Sequence[Sequence[Sequence[Detection]]],
    pairs: Pairs | None = None,
) -> Pairs:
    """Add each label's (human, rubric) pair to ``pairs``; error rows are left out."""
    pairs = {} if pairs is None else pairs
    speakers = rubric.signal_speakers()
    for call, found in zip(calls, detections, strict=True):
        card = score_transcript(call.transcript(), rubric, detections=found)
        for key, value in call.labels.items():
            kind, name = resolve_key(rubric, key)
            truth = label_value(kind, value)
            if kind == "criterion":
                if card.error:
                    continue
                guess: Any = card.criterion(name).status
            elif kind == "signal":
                guess = any(
                    d.signal == name and call.turns[i].speaker == speakers[name]
                    for i, row in enumerate(found)
                    for d in row
                )
            else:
                if card.error:
                    continue
                guess = level_value(card.empathy["call"][name])
            pairs.setdefault((kind, name), []).append((truth, guess))
        for label in call.turn_labels:
            guess = any(d.signal == label.signal for d in found[label.turn])
            pairs.setdefault(("turn", label.signal), []).append((label.present, guess))
    return pairs


def agreement(
    rubric: Rubric, labelled: Sequence[LabelledCall], analyzer: SignalAnalyzer | None = None
) -> AgreementReport:
    """How well the rubric agrees with the human labels (no fitting: the rubric as it is)."""
    rubric = graded_rubric(rubric, labelled)
    analyzer = analyzer if analyzer is not None else analyzer_for(rubric)
    return report(collect_pairs(rubric, labelled, detect(analyzer, labelled)), len(labelled))


def agreement_main(args: argparse.Namespace) -> int:
    """``python -m trainer agreement LABELS [--rubric R]``: print the agreement table."""
    try:
        rubric = load_rubric(args.rubric)
        labelled = load_labels(args.labels, rubric)
    except (RubricError, LabelError) as exc:
        print(exc, file=sys.stderr)
        return 2
    result = agreement(rubric, labelled)
    print(f"Agreement of rubric {rubric.id} v{rubric.version} with {result.calls} labelled calls")
    print(result.table())
    return 0
