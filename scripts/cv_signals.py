"""Leave-one-writer-out cross-validation of the signal heads on the training files.

    python scripts/cv_signals.py                         # default settings of signals train
    python scripts/cv_signals.py --balance balanced --strength 0.1 --floor 0.85

For each writer of ``data/signals/train_*.jsonl``, the heads are fitted (exactly as
``signals train`` fits them: inner folds, thresholds, precision floor) on the other
writers' rows and the rubric's examples, and the analyser (patterns, structural
context rules and those heads) is run over the held-out writer's rows. The counts of
all folds are pooled into one table. This is how settings are chosen: the held-out
sets ``eval_writer_*.jsonl`` are never read here. Sentence vectors are cached in
``.cache/cv_vectors.npz`` and each fold's heads in ``.cache/cv_heads/`` (a change to
the analyser alone is cross-validated again without refitting).

    python scripts/cv_signals.py --only restates_issue asks_already_given_info   # 2 heads
    python scripts/cv_signals.py --no-context-rules      # the analyser without its rules
    python scripts/cv_signals.py --drop-heads restates_issue   # its rule, not its head
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
from trainer.scoring.signal_heads import FEATURES, SignalHeads  # noqa: E402
from trainer.scoring.signals import SignalAnalyzer  # noqa: E402

CACHE = ROOT / ".cache" / "cv_vectors.npz"
HEADS = ROOT / ".cache" / "cv_heads"
"""Each fold's heads, by held-out writer, training-data digest and settings: a change to
the analyser alone (not to the rows or the fit) is cross-validated without refitting."""


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
    parser.add_argument(
        "--only", nargs="*", default=[], help="fit and report only these signals (faster)"
    )
    parser.add_argument(
        "--no-context-rules", action="store_true", help="the analyser without its structural rules"
    )
    parser.add_argument(
        "--no-context-vetoes", action="store_true", help="the rules, but heads never stopped"
    )
    parser.add_argument(
        "--drop-heads", nargs="*", default=[], help="signals run without their head (rules only)"
    )
    args = parser.parse_args()
    rubric = load_rubric()
    specs = {n: s for n, s in rubric.signals.items() if not args.only or n in args.only}
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
        data = training_set(train, specs, encoder)
        settings = f"{args.strength}-{args.balance}-{args.floor}-{args.folds}-{FEATURES}"
        saved = HEADS / f"{writer}-{data.digest[:16]}-{settings}.npz"
        if saved.is_file():  # the same rows and settings: the same heads (the fit is exact)
            heads = SignalHeads.load(saved)
        else:
            heads = fit_heads(
                data,
                specs,
                folds=args.folds,
                precision_floor=args.floor,
                strength=args.strength,
                balance=None if args.balance in (None, "none") else args.balance,
            )
            saved.parent.mkdir(parents=True, exist_ok=True)
            heads.save(saved)
        kept = heads.select([n for n in heads.names if n not in args.drop_heads])
        analyzer = SignalAnalyzer(
            rubric.signals,
            encoder,
            heads=kept,
            context_rules=not args.no_context_rules,
            context_vetoes=not args.no_context_vetoes,
        )
        report = evaluate(test, analyzer)
        if args.only:
            report.counts = type(report.counts)(
                report.counts.default_factory, {n: report.counts[n] for n in args.only}
            )
            report.misses = [m for m in report.misses if m[0] in args.only]
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
