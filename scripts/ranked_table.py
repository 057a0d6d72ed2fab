"""Score the ranked set (data/scoring/ranked_calls.jsonl) and compare with the QA lead.

    .venv/bin/python scripts/ranked_table.py [--calls SET.jsonl] [--json OUT.json] [--before B.json]

Prints Kendall's tau-b between the QA lead's marks and the overall scores, the
rude-above-decent pairs, and a markdown table (QA mark, score, and the score in
``--before`` when given: a JSON ``{id: overall}`` written by an earlier ``--json``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer.paths import default_personas_dir  # noqa: E402
from trainer.personas.loading import load_personas  # noqa: E402
from trainer.scoring.ranking import kendall_tau_b, load_ranked_calls, score_ranked  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--calls", type=Path, default=ROOT / "data" / "scoring" / "ranked_calls.jsonl",
        help="the ranked set (default data/scoring/ranked_calls.jsonl)",
    )  # fmt: skip
    parser.add_argument("--json", type=Path, help="write {id: overall} here")
    parser.add_argument("--before", type=Path, help="an earlier --json, for a before column")
    args = parser.parse_args(argv)
    calls = load_ranked_calls(args.calls)
    personas = load_personas(default_personas_dir()).personas
    scores = score_ranked(calls, {i: p.mood.start for i, p in personas.items()})
    before = json.loads(args.before.read_text()) if args.before else None
    qa = [c.qa_score for c in calls]
    tau = kendall_tau_b(qa, [scores[c.id].overall or 0.0 for c in calls])
    bad = [
        (r.id, d.id)
        for r in calls
        for d in calls
        if r.group == "rude" and d.group == "decent"
        and (scores[r.id].overall or 0) >= (scores[d.id].overall or 0)
    ]  # fmt: skip
    print(f"Kendall tau-b {tau:.3f} over {len(calls)} calls; rude >= decent pairs: {len(bad)}")
    head = (
        "| QA rank | call | group | QA mark |"
        + (" before |" if before else "")
        + " score | flags |"
    )
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for c in sorted(calls, key=lambda c: c.qa_rank):
        card = scores[c.id]
        cells = [str(c.qa_rank), c.id, c.group, str(c.qa_score)]
        if before:
            cells.append(str(before.get(c.id, "")))
        cells += [str(card.overall), ", ".join(card.flags)]
        print("| " + " | ".join(cells) + " |")
    if args.json:
        args.json.write_text(json.dumps({c.id: scores[c.id].overall for c in calls}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
