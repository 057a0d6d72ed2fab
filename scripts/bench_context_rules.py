"""What the structural context rules cost per agent turn, beside the analyser without them.

    python scripts/bench_context_rules.py [--rows 400] [--repeats 3]

Agent turns with a customer line before them from ``data/signals/train_*.jsonl``; every
sentence is embedded once first (warm cache), so the timings are the analyser's own work
(patterns, heads, rules), not MiniLM's. The two analysers run interleaved, turn by turn,
so a busy machine slows both alike; the rules alone are timed too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from trainer.rubric.model import load_rubric  # noqa: E402
from trainer.scoring.context_signals import CONTEXT_RULES  # noqa: E402
from trainer.scoring.sentences import split_sentences  # noqa: E402
from trainer.scoring.signals import SignalAnalyzer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    turns = []
    for path in sorted((ROOT / "data" / "signals").glob("train_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["speaker"] == "agent" and row.get("context"):
                turns.append((row["text"], row["context"]))
    turns = turns[:: max(1, len(turns) // args.rows)][: args.rows]
    specs = load_rubric().signals
    with_rules = SignalAnalyzer(specs)
    without = SignalAnalyzer(specs, context_rules=False)
    for text, context in turns:  # warm: every sentence embedded and cached
        with_rules.analyse_turn(text, "agent", context=context)
        without.analyse_turn(text, "agent", context=context)
    times: dict[str, list[float]] = {"with rules": [], "without": [], "rules alone": []}
    pair = [("with rules", with_rules), ("without", without)]
    for _ in range(args.repeats):
        for text, context in turns:
            pair.reverse()  # neither always runs first
            for name, analyzer in pair:
                t0 = time.perf_counter()
                analyzer.analyse_turn(text, "agent", context=context)
                times[name].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            for sentence in split_sentences(text):
                for rule in CONTEXT_RULES.values():
                    rule(sentence, context, (), text)
            times["rules alone"].append(time.perf_counter() - t0)
    print(f"{len(turns)} agent turns x {args.repeats}, warm sentence cache, {os.cpu_count()} CPUs")
    for name, values in times.items():
        values.sort()
        p95 = values[int(0.95 * (len(values) - 1))]
        print(f"{name:12} p50 {statistics.median(values) * 1000:.2f} ms  p95 {p95 * 1000:.2f} ms")


if __name__ == "__main__":
    main()
