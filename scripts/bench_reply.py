"""Benchmark one practice turn end to end, as a trainee feels it.

Two times to first text, each counted from the moment the agent's line is sent: the
first customer token (signal analysis of the agent line, mood and beat, prompt and
the model's first token) and the first customer text shown (after the in-character
guard's hold-back of the first words; on a beat's turn the beat's scripted line is shown
at once and the model continues it). Also full reply time, words/s, fallback rate
and peak RSS, for the bundled model (or any backend), over varied agent lines and
personas. Backend-level figures (model conversion, cached load, raw tokens/s, engines
and dtypes, llama.cpp) are in ``scripts/bench_backend.py``.

A trainee reads the caller's line and types an answer before the next reply is asked
for; the simulator uses that time to read the known start of the next prompt ahead
(``prepare``). ``--think-ms`` sets the pause between turns: 0 is the worst case (no
time to read ahead), 2000 a fast typist. Each value is a separate pass.

    .venv/bin/python scripts/bench_reply.py                    # bundled model, 24 turns
    .venv/bin/python scripts/bench_reply.py --no-model         # app overhead only
    .venv/bin/python scripts/bench_reply.py --strategy chat --turns 12 --think-ms 0
    .venv/bin/python scripts/bench_reply.py --strategy continuation --engines llamacpp,transformers

``--engines`` runs the local backend on each engine side by side, one process each
(``llamacpp``, the default on the CPU, and ``transformers``, the fallback where llama.cpp
did not build; it reads no prompt ahead, ``prepare`` being a no-op there).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
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


class _Timed:
    """The backend, recording when its first piece of each reply comes out."""

    def __init__(self, backend) -> None:
        self._backend = backend
        self.first: float | None = None

    def __getattr__(self, name: str):
        return getattr(self._backend, name)

    def _timed(self, pieces):
        for piece in pieces:
            if self.first is None:
                self.first = time.perf_counter()
            yield piece

    def stream(self, messages, params):
        return self._timed(self._backend.stream(messages, params))

    def stream_text(self, prompt, params):
        return self._timed(self._backend.stream_text(prompt, params))


def run_pass(sim, backend: _Timed, personas, turns: int, think_s: float, first_call: int) -> dict:
    """``turns`` agent turns over as many calls as needed; the measurements."""
    token, shown, total, words, sources, beats = [], [], [], [], [], []
    turn, call = 0, first_call
    while turn < turns:
        persona = personas[(call - first_call) % len(personas)]  # the same calls each pass
        state = sim.start(persona, call_id=f"bench-{call}", seed=call)
        for line in AGENT_LINES:
            if state.ended or turn >= turns:
                break
            time.sleep(think_s)
            text = line.format(name=persona.name, company=persona.company, n=call + 2)
            backend.first = None
            start = time.perf_counter()
            first = None
            stream = sim.reply(persona, state, text)
            for _ in stream:
                first = first if first is not None else time.perf_counter() - start
            state = stream.finish()
            total.append(time.perf_counter() - start)
            shown.append(first if first is not None else total[-1])
            token.append((backend.first or start + shown[-1]) - start)
            words.append(len(stream.text.split()))
            sources.append(state.records[-1].source)
            beats.append(state.records[-1].beat is not None)
            turn += 1
        call += 1
    return {
        "token": token,
        "shown": shown,
        "total": total,
        "words": words,
        "sources": sources,
        "beats": beats,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default=None)
    parser.add_argument("--model", default=None)
    parser.add_argument("--no-model", action="store_true")
    parser.add_argument(
        "--strategy",
        default=None,
        choices=["authored", "continuation", "chat"],
        help="default: picked per backend (authored for the bundled model)",
    )
    parser.add_argument("--turns", type=int, default=24, help="agent turns measured per pass")
    parser.add_argument("--think-ms", default="0,2000", help="pauses between turns, one pass each")
    parser.add_argument(
        "--engines", default="", help="local engines side by side, e.g. llamacpp,transformers"
    )
    args = parser.parse_args()
    if args.engines:
        rest = [a for i, a in enumerate(sys.argv[1:]) if not _is_engines(sys.argv[1:], i)]
        for engine in args.engines.split(","):
            print(f"\n## engine {engine}", flush=True)
            env = {**os.environ, "FRONTLINE_ENGINE": engine}
            subprocess.run([sys.executable, __file__, *rest], env=env, check=True)
        return

    from trainer.paths import default_personas_dir
    from trainer.personas.loading import load_personas
    from trainer.runtime import make_backend, make_simulator
    from trainer.scoring.signals import SignalAnalyzer

    t0 = time.perf_counter()
    real = make_backend(args.backend, args.model, no_model=args.no_model, strategy=args.strategy)
    if real.generates:
        real.warmup()
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    analyzer = SignalAnalyzer.default()
    analyzer.analyse_turn("Hello, how can I help?", "agent")
    analyser_s = time.perf_counter() - t0
    backend = _Timed(real)
    sim = make_simulator(backend, args.strategy, analyzer)
    personas = sorted(load_personas(default_personas_dir()).personas.values(), key=lambda p: p.id)
    thinks = [int(t) for t in args.think_ms.split(",") if t.strip()]
    passes = []
    for i, think in enumerate(thinks):
        passes.append((think, run_pass(sim, backend, personas, args.turns, think / 1000, 100 * i)))

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    engine = getattr(real, "engine", "-") if real.generates else "-"
    print(
        f"backend {real.name} ({real.model_id}, engine {engine}), strategy {sim.strategy}, "
        f"{args.turns} turns"
    )
    print(f"backend ready (model load + warm-up, cached): {load_s:.2f} s")
    print(f"signal analyser ready (MiniLM load + first turn): {analyser_s:.2f} s")
    print(f"peak RSS: {rss_mb:.0f} MB\n")
    print(
        "| pause between turns | first customer token p50 / p95 | first text shown p50 / p95 "
        "| full reply p50 / p95 | words/s | words/reply | from model | led by a beat line |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for think, r in passes:
        ms = lambda xs: f"{pct(xs, 50) * 1000:.0f} / {pct(xs, 95) * 1000:.0f} ms"  # noqa: E731
        print(
            f"| {think} ms | {ms(r['token'])} | {ms(r['shown'])} | "
            f"{pct(r['total'], 50):.2f} / {pct(r['total'], 95):.2f} s | "
            f"{sum(r['words']) / max(sum(r['total']), 1e-9):.1f} | "
            f"{statistics.mean(r['words']):.1f} | "
            f"{r['sources'].count('model') / len(r['sources']):.0%} | "
            f"{sum(r['beats']) / len(r['beats']):.0%} |"
        )


def _is_engines(argv: list[str], i: int) -> bool:
    """Whether ``argv[i]`` is the ``--engines`` option or its value."""
    here = argv[i]
    return (
        here == "--engines"
        or here.startswith("--engines=")
        or (i > 0 and argv[i - 1] == "--engines")
    )


if __name__ == "__main__":
    main()
