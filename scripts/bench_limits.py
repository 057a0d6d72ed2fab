"""How fast hostile input is refused, and what the time-bounded pattern search costs.

    .venv/bin/python scripts/bench_limits.py          # the README's "Adversarial input" figures
    .venv/bin/python scripts/bench_limits.py --turns 200

Each figure is the median of a few runs in this process: a "billion laughs" persona
(9 levels of 9 aliases), ``tags:`` nested 3,000 deep, a 200 KB editor text, ``(a+)+$``
on a 34-character line with the bounded engine, a search that times out, the bundled
personas folder loaded in full and again with nothing changed; then the pattern stage
of the analyser (every pattern and veto of the turn's speaker, per sentence) over the
held-out turns, with ``re`` and with the bounded engine, and whether they agree.
"""

from __future__ import annotations

import argparse
import glob
import json
import logging
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer.patterns import compile_pattern  # noqa: E402
from trainer.personas.folder import PersonaFolder  # noqa: E402
from trainer.personas.loading import PERSONA_LIMITS, check_persona, load_personas  # noqa: E402
from trainer.rubric.model import load_rubric  # noqa: E402
from trainer.scoring.sentences import split_sentences  # noqa: E402


def laughs(levels: int) -> str:
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    return "id: lol\n" + "\n".join(lines) + f"\ntags: *a{levels}\n"


def median_ms(work: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def pattern_stage(rows: list[dict], bounded: bool) -> tuple[list[float], list[bool]]:
    """Per-turn ms of the pattern stage, and every match result (to compare engines)."""
    rubric = load_rubric()
    per_turn, results = [], []
    for row in rows:
        specs = [s for s in rubric.signals.values() if s.speaker == row["speaker"]]
        if bounded:
            compiled = [[*s.compiled(), *s.compiled_vetoes()] for s in specs]
        else:
            compiled = [[re.compile(p, re.I) for p in (*s.patterns, *s.vetoes)] for s in specs]
        sentences = split_sentences(row["text"])
        start = time.perf_counter()
        for sentence in sentences:
            for patterns in compiled:
                results += [bool(p.search(sentence)) for p in patterns]
        per_turn.append((time.perf_counter() - start) * 1000)
    return per_turn, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=600, help="held-out turns for the stage")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    rubric = load_rubric()
    deep = "id: deep\ntags: " + "[" * 3000 + "]" * 3000 + "\n"
    big = "a" * (2 * PERSONA_LIMITS.max_bytes)
    cached = PersonaFolder(ROOT / "personas", rubric)
    cached.load()
    line = "a" * 34 + "!"
    folder = ROOT / "personas"
    rows = [
        ("billion laughs persona (9 levels, 512 bytes)", lambda: check_persona(laughs(9))),
        ("tags nested 3,000 deep", lambda: check_persona(deep, rubric=rubric)),
        ("200 KB editor text", lambda: check_persona(big, rubric=rubric)),
        ("(a+)+$ on 34 characters, bounded engine", lambda: compile_pattern("(a+)+$").search(line)),
        ("(a|a)*$ on 34 characters: the timeout", lambda: compile_pattern("(a|a)*$").search(line)),
        ("bundled personas folder, full load", lambda: load_personas(folder, rubric=rubric)),
        ("bundled personas folder, nothing changed", cached.load),
    ]
    print("| input | median ms |\n|---|---|")
    for name, work in rows:
        print(f"| {name} | {median_ms(work, 3 if 'timeout' in name else 5):.1f} |")
    turns = [
        json.loads(line)
        for path in sorted(glob.glob(str(ROOT / "data/signals/eval_*.jsonl")))
        for line in Path(path).read_text("utf-8").splitlines()
    ][: args.turns]
    print(f"\npattern stage over {len(turns)} held-out turns (ms per turn)\n")
    print("| engine | p50 | p95 |\n|---|---|---|")
    found = {}
    for name, bounded in (("re", False), ("regex, 0.5 s timeout", True)):
        times, found[name] = pattern_stage(turns, bounded)
        times.sort()
        print(f"| {name} | {statistics.median(times):.2f} | {times[int(len(times) * 0.95)]:.2f} |")
    a, b = found.values()
    print(f"\nsame match results: {a == b} ({len(a):,} searches)")


if __name__ == "__main__":
    main()
