"""Export a blind sample of customer replies for people to rate, or score their ratings.

    python scripts/export_blind_sample.py export --out /tmp/blind [--per-system 60]
        [--systems authored,continuation] [--split test] [--scripts FILE]
    python scripts/export_blind_sample.py score /tmp/blind/ratings.jsonl --key /tmp/blind/key.json

``export`` plays the held-out trainee scripts (``data/fidelity/``) once per system: ``authored``
(the persona's planned lines, no model) and ``continuation`` / ``chat`` (the bundled model, or
``--backend``/``--model``), and writes ``sample.jsonl`` (what the rater sees, shuffled) and
``key.json`` (which system wrote each row: keep it away from the rater). Rate with
``docs/fidelity/RATING.md``; ``score`` prints good / bad per system.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trainer.fidelity.blind import blind_rows, blind_sample, score_ratings  # noqa: E402
from trainer.fidelity.caller_eval import read_jsonl  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data" / "fidelity"


def _export(args: argparse.Namespace) -> int:
    from trainer.paths import default_personas_dir
    from trainer.personas.loading import load_personas
    from trainer.runtime import make_backend, make_simulator

    personas = load_personas(default_personas_dir()).personas
    scripts = read_jsonl(args.scripts)
    if args.split != "all":
        scripts = [s for s in scripts if s["id"].endswith("-2" if args.split == "test" else "-1")]
    by_system = {}
    model_backend = None
    for system in args.systems.split(","):
        if system == "authored":
            backend = make_backend(no_model=True)
        else:
            model_backend = model_backend or make_backend(args.backend, args.model)
            backend = model_backend
        by_system[system] = blind_rows(make_simulator(backend, system), personas, scripts)
        print(f"{system}: {len(by_system[system])} replies", file=sys.stderr)
    sample, key = blind_sample(by_system, args.per_system, seed=args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "sample.jsonl").open("w", encoding="utf-8") as f:
        for row in sample:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    (args.out / "key.json").write_text(json.dumps(key, indent=1), encoding="utf-8")
    print(f"wrote {len(sample)} rows to {args.out / 'sample.jsonl'} (key: key.json)")
    return 0


def _score(args: argparse.Namespace) -> int:
    key = json.loads(Path(args.key).read_text(encoding="utf-8"))
    for system, s in sorted(score_ratings(read_jsonl(args.ratings), key).items()):
        print(
            f"{system:14s} n={s['n']:3d}  good {100 * s['good']:5.1f} %"
            f"  bad {100 * s['bad']:5.1f} %  gave asked fact {100 * s['gave_asked_fact']:5.1f} %"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    exp = sub.add_parser("export")
    exp.add_argument("--out", type=Path, required=True)
    exp.add_argument("--per-system", type=int, default=60)
    exp.add_argument("--systems", default="authored,continuation")
    exp.add_argument("--split", choices=("dev", "test", "all"), default="test")
    exp.add_argument(
        "--scripts",
        type=Path,
        default=DATA / "trainee_scripts_writer_h.jsonl",
        help="trainee scripts to play (JSONL: id, persona, kind, lines)",
    )
    exp.add_argument("--backend", default=None)
    exp.add_argument("--model", default=None)
    exp.add_argument("--seed", type=int, default=0)
    score = sub.add_parser("score")
    score.add_argument("ratings", type=Path)
    score.add_argument("--key", type=Path, required=True)
    args = parser.parse_args()
    return _export(args) if args.command == "export" else _score(args)


if __name__ == "__main__":
    raise SystemExit(main())
