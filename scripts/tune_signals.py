"""Per-signal precision / recall / F1 of a rubric's signals on a labelled fixture.

    python scripts/tune_signals.py                      # default rubric, the shipped signal cases
    python scripts/tune_signals.py --thresholds 0.5 0.55 0.6 0.65 0.7
    python scripts/tune_signals.py --errors             # list every false positive/negative
    python scripts/tune_signals.py --latency            # encode / analyse timings

The fixture is YAML: ``cases: [{text, speaker?: agent|customer, signals: [...]}]``.
For each threshold, every signal's threshold is replaced by it (patterns unchanged);
the "rubric" column uses each signal's own threshold. Sentence vectors are cached,
so the sweep costs one embedding pass.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from trainer.calibration.fixture_check import CASES_DIR, load_cases  # noqa: E402
from trainer.calibration.signal_eval import Counts  # noqa: E402
from trainer.rubric.model import load_rubric  # noqa: E402
from trainer.scoring import Embedder, SignalAnalyzer  # noqa: E402

FIXTURES = sorted(CASES_DIR.glob("*.yaml"))


def evaluate(analyzer: SignalAnalyzer, cases: list[dict]) -> tuple[dict[str, Counts], list[str]]:
    """Per-signal counts over the cases' speakers, and one line per error."""
    detections = analyzer.analyse_turns(
        [(c["speaker"], c["text"]) for c in cases], [1] * len(cases)
    )
    counts = {name: Counts() for name in analyzer.names()}
    errors = []
    for case, found in zip(cases, detections, strict=True):
        predicted = {d.signal: d for d in found}
        expected = set(case["signals"])
        for name in analyzer.names(case["speaker"]):
            hit, want = name in predicted, name in expected
            if hit and want:
                counts[name].tp += 1
            elif hit:
                counts[name].fp += 1
                d = predicted[name]
                errors.append(f"FP {name:24} {d.method}:{d.score:.3f}  {case['text']}")
            elif want:
                counts[name].fn += 1
                errors.append(f"FN {name:24}  {case['text']}")
    return counts, errors


def sweep(thresholds: list[float], show_errors: bool, fixtures: list[Path]) -> None:
    """Print the table of P/R/F1 per signal at the rubric's and at fixed thresholds."""
    specs = load_rubric().signals
    cases = load_cases(fixtures)
    embedder = Embedder.shared()
    base, errors = evaluate(SignalAnalyzer(specs, embedder), cases)
    by_threshold = {}
    for t in thresholds:
        swept = {n: s.model_copy(update={"threshold": t}) for n, s in specs.items()}
        by_threshold[t] = evaluate(SignalAnalyzer(swept, embedder), cases)[0]
    head = "".join(f"  t={t:<13.2f}" for t in thresholds)
    print(f"{'signal':24} {'n':>3}  {'thr':>4}  rubric P/R/F1  {head}")
    for name in sorted(specs, key=lambda n: (specs[n].speaker, n)):
        c = base[name]
        row = f"{name:24} {c.tp + c.fn:3d}  {specs[name].threshold:.2f}  "
        row += f"{c.precision:.2f}/{c.recall:.2f}/{c.f1:.2f}"
        for t in thresholds:
            s = by_threshold[t][name]
            row += f"  {s.precision:.2f}/{s.recall:.2f}/{s.f1:.2f}"
        print(row)
    total = Counts(*(sum(getattr(c, f) for c in base.values()) for f in ("tp", "fp", "fn")))
    print(
        f"\nmicro: P={total.precision:.3f} R={total.recall:.3f} F1={total.f1:.3f} "
        f"over {len(cases)} cases"
    )
    if show_errors:
        print("\n".join(["", *errors]))


def latency(repeats: int = 20) -> None:
    """Median timings of encode (uncached / cached) and analyse_turn, after warm-up."""
    import torch

    print(
        f"CPUs: {os.cpu_count()}, torch threads: {torch.get_num_threads()}, "
        f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    embedder = Embedder(cache_size=0)
    t0 = time.perf_counter()
    embedder.warm_up()
    print(f"model load + first pass: {time.perf_counter() - t0:.2f} s")
    line = "I'm so sorry about that, let me check the account for you right now."
    for n in (1, 3, 64):
        texts = [f"{line} ({i})" for i in range(n)]
        runs = []
        for _ in range(max(3, repeats // (1 + n // 8))):
            t = time.perf_counter()
            embedder.encode(texts)
            runs.append(time.perf_counter() - t)
        print(f"encode {n:3d} sentences, uncached: {statistics.median(runs) * 1000:7.1f} ms")
    cached = Embedder()
    for n in (1, 64):
        texts = [f"{line} ({i})" for i in range(n)]
        cached.encode(texts)
        runs = []
        for _ in range(repeats):
            t = time.perf_counter()
            cached.encode(texts)
            runs.append(time.perf_counter() - t)
        print(f"encode {n:3d} sentences, cached:   {statistics.median(runs) * 1000:7.3f} ms")
    analyzer = SignalAnalyzer(load_rubric().signals, Embedder(cache_size=0))
    analyzer.analyse_turn("Hello.", "agent")  # builds the example bank
    turn = (
        "I completely understand how frustrating that is. I'm sorry. "
        "Leave it with me and I'll book an engineer for Thursday."
    )
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        analyzer.analyse_turn(turn, "agent")
        runs.append(time.perf_counter() - t)
    print(f"analyse_turn (3 sentences, uncached): {statistics.median(runs) * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--thresholds", type=float, nargs="*", default=[0.55, 0.6, 0.65, 0.7])
    parser.add_argument("--errors", action="store_true", help="list false positives/negatives")
    parser.add_argument("--latency", action="store_true", help="time encode and analyse_turn")
    parser.add_argument(
        "--fixture",
        type=Path,
        nargs="+",
        default=FIXTURES,
        help="labelled case files (default: trainer/rubric/signal_cases/*.yaml)",
    )
    args = parser.parse_args()
    if args.latency:
        latency()
    else:
        sweep(args.thresholds, args.errors, args.fixture)


if __name__ == "__main__":
    main()
