"""``python -m trainer``: every command is there, and the commands report through exit codes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from scoring_helpers import needs_minilm

from trainer import __version__
from trainer.cli import build_parser, main
from trainer.paths import default_personas_dir

COMMANDS = {"app", "chat", "personas", "score", "signals", "calibrate", "agreement"}

BAD_PERSONA = """\
id: bad
name: Bea Dee
summary: A persona with one mistake.
difficulty: easy
company: Test Co
style: Plain.
background: You want a refund.
goal: A refund.
opening: Hello.
mood: {start: 12}
lines: {calm: [Okay.], annoyed: [Hmm.], angry: [No.]}
"""


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def test_the_parser_knows_every_command():
    commands = _subcommands(build_parser())
    assert set(commands) == COMMANDS
    assert set(_subcommands(commands["personas"])) == {"list", "validate", "check"}
    assert set(_subcommands(commands["signals"])) == {"train", "eval"}


def test_chat_options_parse():
    args = build_parser().parse_args(["chat", "warm-up", "--no-model", "--seed", "3"])
    assert (args.command, args.persona, args.no_model, args.seed) == ("chat", "warm-up", True, 3)
    assert args.strategy is None and args.backend is None  # None: picked per backend
    args = build_parser().parse_args(["chat", "warm-up", "--strategy", "chat"])
    assert args.strategy == "chat" and args.no_model is False


def test_bad_arguments_exit_with_usage(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["nonsense"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["chat", "warm-up", "--strategy", "poetry"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["calibrate", "labels.jsonl"])  # --out is required
    assert exc.value.code == 2


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"frontline {__version__}"


def test_validate_reports_file_and_line_and_fails(tmp_path: Path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_PERSONA, encoding="utf-8")
    assert main(["personas", "validate", str(bad)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"{bad}:10: mood.start: must be 0..10 (got 12)"]
    assert "1 problem(s) in 1 file(s)" in err


def test_validate_passes_the_shipped_personas(monkeypatch, capsys):
    monkeypatch.delenv("FRONTLINE_PERSONAS", raising=False)
    assert main(["personas", "validate"]) == 0
    assert capsys.readouterr().out.strip() == "all personas valid"


def test_personas_list_names_the_shipped_personas(monkeypatch, capsys):
    monkeypatch.delenv("FRONTLINE_PERSONAS", raising=False)
    assert main(["personas", "list"]) == 0
    ids = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert "warm-up" in ids and "angry-escalation" in ids
    assert len(ids) == len(set(ids)) == len(list(default_personas_dir().glob("*.yaml")))


def test_signals_eval_refuses_a_file_of_only_bad_rows(tmp_path: Path, capsys):
    labels = tmp_path / "bad.jsonl"
    labels.write_text("{not json\n", encoding="utf-8")
    assert main(["signals", "eval", str(labels), "--no-heads"]) == 2
    assert f"{labels}:1: not JSON" in capsys.readouterr().err


@pytest.mark.minilm
@needs_minilm
def test_signals_eval_prints_a_table(tmp_path: Path, capsys):
    rows = [
        {"speaker": "agent", "text": "I'm so sorry about the wait.", "signals": ["apologises"]},
        {"speaker": "agent", "text": "Your parcel is on the van today.", "signals": []},
    ]
    labels = tmp_path / "labels.jsonl"
    labels.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["signals", "eval", str(labels), "--no-heads"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2 labelled turns"
    assert lines[1].split() == ["signal", "support", "P", "R", "F1"]
    assert any(line.split()[:2] == ["apologises", "1"] for line in lines)
    assert any(line.startswith("micro") for line in lines)
    assert lines[-1].startswith("macro F1")
