"""``python -m trainer personas list | validate``: the trainer's persona tools."""

from __future__ import annotations

import argparse
import sys

from trainer.paths import default_personas_dir
from trainer.personas.loading import load_personas, validate_paths


def personas_main(args: argparse.Namespace) -> int:
    """Dispatch ``personas`` subcommands; returns the exit code."""
    if args.personas_command == "list":
        found = load_personas(args.personas or default_personas_dir())
        for persona in sorted(found.personas.values(), key=lambda p: (p.difficulty, p.id)):
            print(f"{persona.id:28} {persona.difficulty:7} {persona.name}: {persona.summary}")
        for problem in found.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1 if found.problems else 0
    if args.personas_command == "validate":
        paths = args.paths or [default_personas_dir()]
        problems = validate_paths(paths)
        for problem in problems:
            print(problem)
        if problems:
            files = len({p.file for p in problems})
            print(f"{len(problems)} problem(s) in {files} file(s)", file=sys.stderr)
            return 1
        print("all personas valid")
        return 0
    if args.personas_command == "check":
        from trainer.fidelity.check_cli import check_main

        return check_main(args)
    raise AssertionError(args.personas_command)  # pragma: no cover
