"""The command line of ``python -m trainer personas check``: its arguments and its main.

What a persona must pass, and how a rehearsal is judged, is ``trainer.fidelity.check``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from trainer.fidelity.check import DEFAULT_SEEDS, rehearse_persona, render_check
from trainer.fidelity.run import DEFAULT_TURNS
from trainer.fidelity.strategies import TRAINEE_STRATEGIES
from trainer.personas.loading import Persona


def add_check_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``personas check`` (the parser is the subcommand's own)."""
    parser.add_argument(
        "persona", nargs="+", help="persona ids, persona YAML files, or 'all' for the whole folder"
    )
    parser.add_argument("--personas", type=Path, default=None, help="personas folder")
    parser.add_argument(
        "--backend",
        default="scripted",
        help="scripted (default: checks the script), local, openai or llamacpp",
    )
    parser.add_argument("--model", default=None, help="x.gguf, model id or folder")
    parser.add_argument("--base-url", default=None, help="OpenAI-compatible server URL (openai)")
    parser.add_argument(
        "--strategy",
        default="continuation",
        choices=["continuation", "chat"],
        help="prompting strategy for the model (default: continuation)",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        default=DEFAULT_SEEDS,
        help=f"calls per trainee strategy (default {DEFAULT_SEEDS})",
    )
    parser.add_argument(
        "--turns",
        type=int,
        default=DEFAULT_TURNS,
        help=f"agent turns per call at most (default {DEFAULT_TURNS})",
    )


def _load(names: list[str], folder: Path) -> list[Persona]:
    from trainer.personas.loading import find_persona, load_persona, load_personas

    if names == ["all"]:
        found = load_personas(folder)
        for problem in found.problems:
            print(f"error: {problem}", file=sys.stderr)
        return sorted(found.personas.values(), key=lambda p: p.id)
    out = []
    for name in names:
        path = Path(name)
        is_file = path.suffix in (".yaml", ".yml") and path.is_file()
        out.append(load_persona(path) if is_file else find_persona(name, folder))
    return out


def check_main(args: argparse.Namespace) -> int:
    """Check the personas named on the command line; 0 all passed, 1 a check failed, 2 error."""
    from trainer.paths import default_personas_dir
    from trainer.personas.loading import PersonaError
    from trainer.runtime import make_backend, make_simulator

    if args.seeds < 1 or args.turns < 1:
        print("error: --seeds and --turns must be at least 1", file=sys.stderr)
        return 2
    try:
        personas = _load(list(args.persona), args.personas or default_personas_dir())
    except (PersonaError, LookupError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if not personas:
        print("error: no personas to check", file=sys.stderr)
        return 2
    backend = make_backend(args.backend, args.model, base_url=args.base_url, strategy=args.strategy)
    sim = make_simulator(backend, args.strategy)
    model = getattr(backend, "model_id", "") or "-"
    print(
        f"backend {backend.name} (model {model}), {args.seeds} seed(s) x "
        f"{len(TRAINEE_STRATEGIES)} trainee strategies, up to {args.turns} turns"
    )
    results = [rehearse_persona(p, sim, args.seeds, args.turns) for p in personas]
    for result in results:
        print(render_check(result))
    failed = [r.persona_id for r in results if not r.passed]
    print(
        f"{len(results) - len(failed)}/{len(results)} persona(s) passed"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0
