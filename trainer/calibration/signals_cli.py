"""``python -m trainer signals train | eval``: rebuild the learned heads, or measure them.

- ``signals train`` fits one head per signal on ``data/signals/train_*.jsonl`` and
  the rubric's examples, and writes ``trainer/rubric/default.heads.npz``.
- ``signals eval LABELS.jsonl [...]`` prints precision / recall / F1 per signal of
  the analyser on labelled turns, with ``--by industry|style|author`` breakdowns.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from trainer.paths import default_rubric_path, repo_root


def add_signals_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``signals`` subcommands and their options."""
    sub = parser.add_subparsers(dest="signals_command", required=True)
    train = sub.add_parser("train", help="fit the learned signal heads")
    train.add_argument("--data", type=Path, default=repo_root() / "data" / "signals")
    train.add_argument("--glob", default="train_*.jsonl", help="files under --data to train on")
    train.add_argument("--out", type=Path, default=None, help="default: beside the rubric")
    train.add_argument("--rubric", type=Path, default=None)
    train.add_argument("--folds", type=int, default=5)
    train.add_argument("--precision-floor", type=float, default=0.93)
    train.add_argument(
        "--embedding-only", default="", metavar="SIGNAL,...",
        help="these heads read the embedding only, whatever the shipped cases say",
    )  # fmt: skip
    train.add_argument(
        "--keep-ngrams", default="", metavar="SIGNAL,...",
        help="these heads keep their n-grams even if precision on the shipped cases falls",
    )  # fmt: skip
    train.add_argument(
        "--balance",
        choices=["balanced", "none"],
        default="none",
        help="class weights of the regressions (chosen by scripts/cv_signals.py)",
    )
    evaluate = sub.add_parser("eval", help="precision / recall / F1 per signal on labels")
    evaluate.add_argument("labels", type=Path, nargs="+", help="JSONL labelled turns")
    evaluate.add_argument("--rubric", type=Path, default=None)
    evaluate.add_argument("--by", choices=["industry", "style", "author"], default=None)
    evaluate.add_argument("--no-heads", action="store_true", help="patterns and examples only")
    evaluate.add_argument("--misses", type=int, default=0, help="print this many errors")


def signals_main(args: argparse.Namespace) -> int:
    """Run ``signals train`` or ``signals eval``; 0 on success, 2 on bad input."""
    from trainer.calibration.signal_data import read_labelled_turns
    from trainer.rubric.model import RubricError, load_rubric

    try:
        rubric = load_rubric(args.rubric)
    except RubricError as exc:
        print(exc, file=sys.stderr)
        return 2
    speakers = rubric.signal_speakers()
    if args.signals_command == "train":
        files = sorted(args.data.glob(args.glob))
        if not files:
            print(f"no labelled files {args.glob} in {args.data}", file=sys.stderr)
            return 2
        rows, problems = read_labelled_turns(files, speakers)
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 2
        return _train(args, rubric, rows, files)
    rows, problems = read_labelled_turns(args.labels, speakers)
    if problems:
        print("\n".join(problems[:50]), file=sys.stderr)
        if not rows:
            return 2
    return _eval(args, rubric, rows)


def _train(args: argparse.Namespace, rubric, rows, files) -> int:  # noqa: ANN001
    from trainer.calibration.fixture_check import precision_falls
    from trainer.calibration.heads_fit import fit_heads, keep_embedding_heads, training_set
    from trainer.scoring.embeddings import Embedder
    from trainer.scoring.signal_heads import heads_path_for
    from trainer.scoring.signals import SignalAnalyzer

    forced, kept = _names(args.embedding_only), _names(args.keep_ngrams)
    if unknown := (forced | kept) - set(rubric.signals):
        print(f"no such signal: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    print(f"{len(rows)} labelled turns from {len(files)} file(s); embedding...", flush=True)
    encoder = Embedder(cache_size=0)
    data = training_set(rows, rubric.signals, encoder)
    settings = {
        "folds": args.folds,
        "precision_floor": args.precision_floor,
        "balance": None if args.balance == "none" else args.balance,
    }
    heads = fit_heads(
        data, rubric.signals, progress=lambda line: print("  " + line, flush=True), **settings
    )
    # a head whose n-grams cost precision on the shipped sentences reads the embedding only
    print("the same heads without n-grams, to check them on the shipped cases...", flush=True)
    base = fit_heads(dataclasses.replace(data, ngrams=None), rubric.signals, **settings)
    falls = precision_falls(
        SignalAnalyzer(rubric.signals, encoder, heads=base),
        SignalAnalyzer(rubric.signals, encoder, heads=heads),
        heads.names,
    )
    for name, (before, after) in sorted(falls.items()):
        then = "kept all the same (--keep-ngrams)" if name in kept else "the embedding only"
        print(f"  {name}: precision on the shipped cases {before:.2f} -> {after:.2f} with"
              f" n-grams; its head reads {then}")  # fmt: skip
    heads = keep_embedding_heads(heads, base, (set(falls) | forced) - kept)
    out = args.out or heads_path_for(args.rubric or default_rubric_path())
    heads.save(out)
    print(f"wrote {len(heads.names)} heads to {out}")
    return 0


def _names(listed: str) -> set[str]:
    return {name.strip() for name in listed.split(",") if name.strip()}


def _eval(args: argparse.Namespace, rubric, rows) -> int:  # noqa: ANN001
    from trainer.calibration.signal_eval import evaluate, format_report
    from trainer.scoring.scorer import analyzer_for
    from trainer.scoring.signals import SignalAnalyzer

    # as the scorer runs it: the rubric's own heads beside its file, else the bundled ones
    analyzer = SignalAnalyzer(rubric.signals, heads=None) if args.no_heads else analyzer_for(rubric)
    report = evaluate(rows, analyzer)
    print(format_report(report, f"{len(rows)} labelled turns"))
    if args.by:
        for value in sorted({getattr(r, args.by) or "-" for r in rows}):
            part = evaluate(rows, analyzer, lambda r, v=value: (getattr(r, args.by) or "-") == v)
            micro = part.micro()
            print(
                f"{args.by} {value:20} micro P {micro.precision:.2f} R {micro.recall:.2f}"
                f" F1 {micro.f1:.2f}  macro F1 {part.macro_f1():.2f}"
            )
    for signal, kind, text in report.misses[: args.misses]:
        print(f"{kind:11} {signal:24} {text}")
    return 0
