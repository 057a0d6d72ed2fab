"""The caller on held-out data: asked details given, and call outcomes per trainee kind.

    python scripts/eval_caller.py [--strategy authored] [--backend scripted] [--misses 10]

Data: ``data/fidelity/asks_writer_h.jsonl`` (agent lines asking for details) and
``data/fidelity/trainee_scripts_writer_h.jsonl`` (good / poor / nervous trainee scripts),
both written by someone who never saw the simulator's code. ``--split dev|test|all``
picks odd ids and the first script of each persona and kind (dev: may be read while
working on the planner), even ids and the second scripts (test: only the numbers are
read), or every row.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trainer.fidelity.caller_eval import (  # noqa: E402
    answer_rate,
    early_hang_ups,
    outcome_table,
    read_jsonl,
    script_outcomes,
)
from trainer.paths import default_personas_dir  # noqa: E402
from trainer.personas.loading import load_personas  # noqa: E402
from trainer.runtime import make_backend, make_simulator  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data" / "fidelity"


def _in_split(row_id: str, split: str) -> bool:
    number = int(re.findall(r"\d+", row_id)[-1])
    return split == "all" or (number % 2 == 1) == (split == "dev")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", default="scripted")
    parser.add_argument("--strategy", default="authored")
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--misses", type=int, default=0)
    args = parser.parse_args()
    personas = load_personas(default_personas_dir()).personas
    backend = make_backend(args.backend, no_model=args.backend == "scripted")
    sim = make_simulator(backend, args.strategy)
    asks = [r for r in read_jsonl(DATA / "asks_writer_h.jsonl") if _in_split(r["id"], args.split)]
    rate = answer_rate(sim, personas, asks)
    print(
        f"asks ({args.split}): {rate.answered}/{rate.asks} answered in the same reply"
        f" ({100 * (rate.rate or 0):.1f} %); negatives {rate.negatives}, leaked {rate.leaked}"
    )
    for miss in rate.misses[: args.misses]:
        print(f"  MISS {miss['id']}: {miss['text']!r} -> {miss['reply']!r}")
    scripts = [
        s
        for s in read_jsonl(DATA / "trainee_scripts_writer_h.jsonl")
        if _in_split(s["id"], args.split)
    ]
    runs = script_outcomes(sim, personas, scripts)
    for kind, counts in sorted(outcome_table(runs).items()):
        total = sum(counts.values())
        shares = ", ".join(f"{o} {n}/{total}" for o, n in counts.most_common())
        print(f"scripts {kind:8s}: {shares}")
    early = early_hang_ups([r for r in runs if r.kind != "good"])
    print(f"hung up before the agent's 3rd line: {len(early)}")
    print(f"repeated customer lines: {sum(r.repeats for r in runs)} in {len(runs)} calls")
    acts = Counter(a.split(":")[0] for r in runs for a in r.acts)
    print("acts:", ", ".join(f"{a} {n}" for a, n in acts.most_common()))
    for run in runs:
        if args.misses and run.kind == "good" and run.outcome != "resolved":
            print(f"  GOOD NOT RESOLVED {run.id}: {run.outcome} acts={run.acts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
