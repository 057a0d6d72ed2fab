"""Benchmark one practice turn end to end, as a trainee feels it.

Time to first customer text (signal analysis of the agent line, mood and beat,
prompt, generation, and the in-character guard's hold-back all included), full
reply time, words/s, fallback rate and peak RSS, for the bundled model (or any
backend), over varied agent lines and personas. Backend-level figures (model
conversion, cached load, raw tokens/s, fp32 vs bf16, llama.cpp) are in
``scripts/bench_backend.py``.

    .venv/bin/python scripts/bench_reply.py                    # bundled model, 24 turns
    .venv/bin/python scripts/bench_reply.py --no-model         # app overhead only
    .venv/bin/python scripts/bench_reply.py --strategy chat --turns 12
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# {name} and {n} make every sentence new, so the analyser's sentence cache never helps.
AGENT_LINES = [
    "Good morning, you're through to {company}, my name is Sam. How can I help?",
    "I'm really sorry to hear that, {name}, it sounds incredibly frustrating.",
    "Can I take your account number and postcode so I can look into this, {name}?",
    "So this has been going on for {n} days and nobody sorted it, is that right?",
    "I'll take care of this personally, {name}, and get it fixed by Thursday morning.",
    "You'll get a text confirming it within {n} minutes. Does that work for you?",
]


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default=None)
    parser.add_argument("--model", default=None)
    parser.add_argument("--no-model", action="store_true")
    parser.add_argument("--strategy", default="continuation", choices=["continuation", "chat"])
    parser.add_argument("--turns", type=int, default=24, help="agent turns measured in all")
    args = parser.parse_args()

    from trainer.paths import default_personas_dir
    from trainer.personas import load_personas
    from trainer.runtime import make_backend, make_simulator
    from trainer.scoring.signals import SignalAnalyzer

    t0 = time.perf_counter()
    backend = make_backend(args.backend, args.model, no_model=args.no_model)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    analyzer = SignalAnalyzer.default()
    analyzer.analyse_turn("Hello, how can I help?", "agent")
    analyser_s = time.perf_counter() - t0
    sim = make_simulator(backend, args.strategy, analyzer)
    personas = sorted(load_personas(default_personas_dir()).personas.values(), key=lambda p: p.id)

    ttft, total, words, sources = [], [], [], []
    turn = 0
    call = 0
    while turn < args.turns:
        persona = personas[call % len(personas)]
        state = sim.start(persona, call_id=f"bench-{call}", seed=call)
        for line in AGENT_LINES:
            if state.ended or turn >= args.turns:
                break
            start = time.perf_counter()
            first = None
            text = line.format(name=persona.name, company=persona.company, n=call + 2)
            stream = sim.reply(persona, state, text)
            for _ in stream:
                first = first if first is not None else time.perf_counter() - start
            state = stream.finish()
            total.append(time.perf_counter() - start)
            ttft.append(first if first is not None else total[-1])
            words.append(len(stream.text.split()))
            sources.append(state.records[-1].source)
            turn += 1
        call += 1

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"backend {backend.name} ({backend.model_id}), strategy {args.strategy}, {turn} turns")
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| backend ready (model load, cached) | {load_s:.2f} s |")
    print(f"| signal analyser ready (MiniLM load + first turn) | {analyser_s:.2f} s |")
    print(
        f"| time to first customer text p50 / p95 | {pct(ttft, 50) * 1000:.0f} / "
        f"{pct(ttft, 95) * 1000:.0f} ms |"
    )
    print(f"| full reply p50 / p95 | {pct(total, 50):.2f} / {pct(total, 95):.2f} s |")
    print(
        f"| words per second (reply words / reply time) | "
        f"{sum(words) / max(sum(total), 1e-9):.1f} |"
    )
    print(f"| mean reply length | {statistics.mean(words):.1f} words |")
    for source in ("model", "fallback", "scripted"):
        share = sources.count(source) / len(sources)
        if share:
            print(f"| replies from {source} | {share:.0%} |")
    print(f"| peak RSS | {rss_mb:.0f} MB |")


if __name__ == "__main__":
    main()
