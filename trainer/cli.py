"""The command line: ``python -m trainer COMMAND``.

Commands: app, chat, personas, score, signals, calibrate, agreement.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from trainer import __version__

log = logging.getLogger("trainer")


def _add_backend_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--backend",
        default=None,
        help="local (default), openai, scripted or llamacpp; env FRONTLINE_BACKEND",
    )
    p.add_argument(
        "--model",
        default=None,
        help="x.gguf, HF id or folder (local), model name (openai); env FRONTLINE_MODEL",
    )
    p.add_argument("--base-url", default=None, help="OpenAI-compatible server URL (openai)")
    p.add_argument("--no-model", action="store_true", help="scripted lines only, no model")
    p.add_argument(
        "--strategy",
        default=None,
        choices=["authored", "continuation", "chat"],
        help="who writes the caller's lines: authored (the persona's lines, planned in code; "
        "default for the bundled model and no model), chat (default for an openai server), "
        "continuation (a local model continues the transcript)",
    )
    p.add_argument("--personas", type=Path, default=None, help="personas folder")


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree for every subcommand."""
    parser = argparse.ArgumentParser(prog="python -m trainer", description=__doc__)
    parser.add_argument("--version", action="version", version=f"frontline {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)

    chat = sub.add_parser("chat", help="practise a call in the terminal")
    chat.add_argument("persona", help="persona id (see: personas list)")
    chat.add_argument("--seed", type=int, default=0)
    _add_backend_options(chat)

    app = sub.add_parser("app", help="open the browser app")
    app.add_argument("--host", default="127.0.0.1")
    app.add_argument("--port", type=int, default=7860)
    app.add_argument("--db", type=Path, default=None, help="SQLite file for call history")
    app.add_argument("--auth", default=None, help="user:pass, or a file of user:pass lines")
    _add_backend_options(app)

    personas = sub.add_parser("personas", help="list, validate and check persona scripts")
    psub = personas.add_subparsers(dest="personas_command", required=True)
    plist = psub.add_parser("list", help="list the personas")
    plist.add_argument("--personas", type=Path, default=None)
    validate = psub.add_parser("validate", help="report every problem in persona files")
    validate.add_argument("paths", nargs="*", type=Path, help="files or folders")
    check = psub.add_parser("check", help="check a persona behaves like a real caller")
    from trainer.fidelity.check_cli import add_check_arguments

    add_check_arguments(check)

    score = sub.add_parser("score", help="batch-score transcripts with the rubric")
    try:
        from trainer.scoring.batch import add_score_arguments

        add_score_arguments(score)
    except ImportError:  # pragma: no cover - only while the scorer is being built
        score.add_argument("paths", nargs="+")

    signals = sub.add_parser("signals", help="train or evaluate the learned signal detectors")
    from trainer.calibration.signals_cli import add_signals_arguments

    add_signals_arguments(signals)

    for name, text in (
        ("calibrate", "fit thresholds to human grades"),
        ("agreement", "agreement with human grades"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("labels", type=Path, help="JSONL of labelled transcripts")
        p.add_argument("--rubric", type=Path, default=None)
        p.add_argument("--folds", type=int, default=5)
        if name == "calibrate":
            p.add_argument("--out", type=Path, required=True, help="calibrated rubric YAML")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "chat":
        from trainer.chat import chat_main

        return chat_main(args)
    if args.command == "app":
        from trainer.ui.app import app_main

        return app_main(args)
    if args.command == "personas":
        from trainer.personas.cli import personas_main

        return personas_main(args)
    if args.command == "score":
        from trainer.scoring.batch import batch_main

        return batch_main(args)
    if args.command == "signals":
        from trainer.calibration.signals_cli import signals_main

        return signals_main(args)
    if args.command == "calibrate":
        from trainer.calibration.calibrate_cli import calibrate_main

        return calibrate_main(args)
    if args.command == "agreement":
        from trainer.calibration.agreement import agreement_main

        return agreement_main(args)
    print(f"unknown command {args.command}", file=sys.stderr)  # pragma: no cover
    return 2
