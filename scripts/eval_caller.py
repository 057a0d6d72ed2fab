"""The caller on held-out data: asked details given, and call outcomes per trainee kind.

    python scripts/eval_caller.py [--strategy authored] [--backend scripted] [--misses 10]
    python scripts/eval_caller.py --asks data/fidelity/asks_writer_m.jsonl --split all --miss-kinds

Data: ``data/fidelity/asks_writer_h.jsonl`` (agent lines asking for details; ``--asks``
another file of the same format, e.g. ``asks_writer_m.jsonl``, wholly a test set) and
``data/fidelity/trainee_scripts_writer_h.jsonl`` (good / poor / nervous trainee scripts),
both written by someone who never saw the simulator's code. ``--split dev|test|all``
picks odd ids and the first script of each persona and kind (dev: may be read while
working on the planner), even ids and the second scripts (test: only the numbers are
read), or every row. ``--miss-kinds`` counts the misses by kind (two details asked, one
named, one described without its name; details only mentioned but given) and lists each
miss's persona and ``asks`` only, never its text, so a held-out file stays unread.
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
from trainer.personas.asking import name_pattern  # noqa: E402
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
    parser.add_argument("--asks", type=Path, default=DATA / "asks_writer_h.jsonl")
    parser.add_argument("--miss-kinds", action="store_true")
    args = parser.parse_args()
    if not args.asks.is_file():
        parser.error(f"--asks: no such file {args.asks}")
    personas = load_personas(default_personas_dir()).personas
    backend = make_backend(args.backend, no_model=args.backend == "scripted")
    sim = make_simulator(backend, args.strategy)
    asks = [r for r in read_jsonl(args.asks) if _in_split(r["id"], args.split)]
    rate = answer_rate(sim, personas, asks)
    print(
        f"asks {args.asks.name} ({args.split}): {rate.answered}/{rate.asks} answered in the"
        f" same reply ({100 * (rate.rate or 0):.1f} %);"
        f" negatives {rate.negatives}, leaked {rate.leaked}"
    )
    for miss in rate.misses[: args.misses]:
        print(f"  MISS {miss['id']}: {miss['text']!r} -> {miss['reply']!r}")
    if args.miss_kinds:
        _print_miss_kinds(personas, {r["id"]: r for r in asks}, rate.misses)
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


def _miss_kind(persona, row: dict) -> str:
    """two-detail, named or described: from the row's asks and whether the text names it."""
    if len(row["asks"]) > 1:
        return "two-detail"
    fact = persona.facts[row["asks"][0]]
    named = re.search(name_pattern(row["asks"][0]), row["text"], re.IGNORECASE)
    return "named" if named or fact.is_asked(row["text"]) else "described"


def _print_miss_kinds(personas, rows: dict, misses: list[dict]) -> None:
    """Misses by kind, and each miss's id, persona and asks (never the row's text)."""
    kinds: Counter[str] = Counter()
    for miss in misses:
        row = rows[miss["id"]]
        kind = _miss_kind(personas[row["persona"]], row)
        kinds[kind] += 1
        print(f"  miss {row['id']}: {kind}, {row['persona']}, asks {row['asks']}")
    print("misses by kind:", ", ".join(f"{k} {n}" for k, n in kinds.most_common()) or "none")


if __name__ == "__main__":
    raise SystemExit(main())
