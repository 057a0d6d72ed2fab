"""Precision, recall and F1 of the signal analyser on labelled turns.

``python -m trainer signals eval LABELS.jsonl`` runs the analyser (patterns and
learned heads, exactly as the simulator and the scorer run it) over every labelled
turn, with the row's ``context`` as the customer's line before, and compares the
signals that fired with the labels. A QA team can check the analyser on its own
labelled sentences this way (format: :mod:`trainer.calibration.signal_data`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from trainer.calibration.signal_data import LabelledTurn
from trainer.scoring.signals import SignalAnalyzer


@dataclass
class Counts:
    """True positives, false positives and false negatives of one signal."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class SignalReport:
    """Counts per signal, plus the rows that went wrong (for reading, not for tuning)."""

    counts: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    misses: list[tuple[str, str, str]] = field(default_factory=list)
    """(signal, "missed" | "false alarm", text)"""

    def micro(self) -> Counts:
        total = Counts()
        for c in self.counts.values():
            total.tp, total.fp, total.fn = total.tp + c.tp, total.fp + c.fp, total.fn + c.fn
        return total

    def macro_f1(self, min_support: int = 1) -> float:
        scored = [c.f1 for c in self.counts.values() if c.tp + c.fn >= min_support]
        return sum(scored) / len(scored) if scored else 0.0


def evaluate(
    rows: Iterable[LabelledTurn],
    analyzer: SignalAnalyzer,
    only: Callable[[LabelledTurn], bool] = lambda _: True,
) -> SignalReport:
    """Run the analyser over each row and count hits, false alarms and misses per signal."""
    report = SignalReport()
    for row in rows:
        if not only(row):
            continue
        fired = {
            d.signal for d in analyzer.analyse_turn(row.text, row.speaker, context=row.context)
        }
        for name in analyzer.names(row.speaker):
            truth, said = name in row.signals, name in fired
            counts = report.counts[name]
            if truth and said:
                counts.tp += 1
            elif said:
                counts.fp += 1
                report.misses.append((name, "false alarm", row.text))
            elif truth:
                counts.fn += 1
                report.misses.append((name, "missed", row.text))
    return report


def format_report(report: SignalReport, title: str = "") -> str:
    """A plain table: one line per signal with support, then micro and macro."""
    lines = [title] if title else []
    lines.append(f"{'signal':28} {'support':>7} {'P':>6} {'R':>6} {'F1':>6}")
    for name in sorted(report.counts):
        c = report.counts[name]
        if c.tp + c.fn + c.fp == 0:
            continue
        lines.append(f"{name:28} {c.tp + c.fn:7d} {c.precision:6.2f} {c.recall:6.2f} {c.f1:6.2f}")
    micro = report.micro()
    lines.append(
        f"{'micro':28} {micro.tp + micro.fn:7d} {micro.precision:6.2f} {micro.recall:6.2f}"
        f" {micro.f1:6.2f}"
    )
    lines.append(f"{'macro F1 (signals with support)':36} {report.macro_f1():.2f}")
    return "\n".join(lines)
