"""Leave-one-writer-out cross-validation of the signal heads on the training files.

    python scripts/cv_signals.py                         # default settings of signals train
    python scripts/cv_signals.py --balance balanced --strength 0.1 --floor 0.85

For each writer of ``data/signals/train_*.jsonl``, the heads are fitted (exactly as
``signals train`` fits them: inner folds, thresholds, precision floor) on the other
writers' rows and the rubric's examples, and the analyser (patterns + those heads)
is run over the held-out writer's rows. The counts of all folds are pooled into one
table. This is how settings are chosen: the held-out sets ``eval_writer_*.jsonl`` are
never read here. Sentence vectors are cached in ``.cache/cv_vectors.npz``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from trainer.calibration.heads_fit import fit_heads, training_set  # noqa: E402
from trainer.calibration.signal_data import read_labelled_turns  # noqa: E402
from trainer.calibration.signal_eval import SignalReport, evaluate, format_report  # noqa: E402
from trainer.rubric.model import load_rubric  # noqa: E402
from trainer.scoring.embeddings import Embedder  # noqa: E402
from trainer.scoring.signals import SignalAnalyzer  # noqa: E402

CACHE = ROOT / ".cache" / "cv_vectors.npz"


class CachedEncoder:
    """MiniLM with a sentence -> vector dict kept on disk between runs."""

    def __init__(self, path: Path = CACHE) -> None:
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path.is_file():
            with np.load(path, allow_pickle=False) as data:
                self.vectors = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))
        self._embedder: Embedder | None = None
        self.dirty = False

    def encode(self, sentences: list[str]) -> np.ndarray:
        new = [s for s in dict.fromkeys(sentences) if s not in self.vectors]
        if new:
            self._embedder = self._embedder or Embedder(cache_size=0)
            for s, v in zip(new, self._embedder.encode(new), strict=True):
                self.vectors[s] = v
            self.dirty = True
        if not sentences:
            return np.zeros((0, 384), np.float32)
        return np.array([self.vectors[s] for s in sentences], dtype=np.float32)

    def save(self) -> None:
        if self.dirty:
            self.path.parent.mkdir(exist_ok=True)
            vectors = np.array(list(self.vectors.values()))
            np.savez(self.path, texts=np.array(list(self.vectors)), vectors=vectors)


def pooled(reports: list[SignalReport]) -> SignalReport:
    """One report whose counts are the sum of the folds' counts."""
    total = SignalReport()
    for report in reports:
        for name, c in report.counts.items():
            t = total.counts[name]
            t.tp, t.fp, t.fn = t.tp + c.tp, t.fp + c.fp, t.fn + c.fn
        total.misses += report.misses
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "signals")
    parser.add_argument("--glob", default="train_*.jsonl")
    parser.add_argument("--balance", default=None, help="class_weight: none or balanced")
    parser.add_argument("--strength", type=float, default=0.05, help="C of the regressions")
    parser.add_argument("--floor", type=float, default=0.9, help="precision floor")
    parser.add_argument("--folds", type=int, default=5, help="inner folds (thresholds)")
    parser.add_argument("--table", action="store_true", help="print the per-signal table")
    parser.add_argument("--misses", type=int, default=0)
    parser.add_argument("--drop", nargs="*", default=[], help="writers left out entirely")
    parser.add_argument(
        "--train-only", nargs="*", default=[], help="writers only trained on, never a fold"
    )
    args = parser.parse_args()
    rubric = load_rubric()
    files = sorted(args.data.glob(args.glob))
    rows, problems = read_labelled_turns(files, rubric.signal_speakers())
    if problems:
        sys.exit("\n".join(problems[:20]))
    rows = [r for r in rows if r.author not in args.drop]
    writers = sorted({r.author for r in rows} - set(args.train_only))
    encoder = CachedEncoder()
    reports, started = [], time.perf_counter()
    for writer in writers:
        train = [r for r in rows if r.author != writer]
        test = [r for r in rows if r.author == writer]
        data = training_set(train, rubric.signals, encoder)
        heads = fit_heads(
            data,
            rubric.signals,
            folds=args.folds,
            precision_floor=args.floor,
            strength=args.strength,
            balance=None if args.balance in (None, "none") else args.balance,
        )
        analyzer = SignalAnalyzer(rubric.signals, encoder, heads=heads)
        report = evaluate(test, analyzer)
        micro = report.micro()
        print(
            f"{writer:10} {len(test):5d} rows  micro P {micro.precision:.3f} R {micro.recall:.3f}"
            f"  macro F1 {report.macro_f1():.3f}  ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        reports.append(report)
        encoder.save()
    total = pooled(reports)
    micro = total.micro()
    weak = sorted(n for n, c in total.counts.items() if c.tp + c.fn and c.f1 < 0.7)
    print(
        f"POOLED micro P {micro.precision:.3f} R {micro.recall:.3f} F1 {micro.f1:.3f}"
        f"  macro F1 {total.macro_f1():.3f}  under 0.70: {len(weak)} {' '.join(weak)}"
    )
    if args.table:
        print(format_report(total, "pooled over the writers' folds"))
    for signal, kind, text in total.misses[: args.misses]:
        print(f"{kind:11} {signal:24} {text}")


if __name__ == "__main__":
    main()
