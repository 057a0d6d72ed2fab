"""``python -m trainer chat PERSONA --no-model``: a call in the terminal, typed or piped."""

from __future__ import annotations

import io
import json

import pytest
from scoring_helpers import needs_minilm

import trainer.chat
from trainer import runtime
from trainer.cli import main
from trainer.paths import repo_root
from trainer.personas.loading import find_persona
from trainer.scoring.signals import Detection

PERSONAS = repo_root() / "personas"
PERSONA = find_persona("angry-escalation", PERSONAS)
BEATS = {beat.id: beat for beat in PERSONA.beats}


class KeywordAnalyzer:
    """Finds ``says_calm_down`` in "calm down" and nothing else: no MiniLM needed."""

    def analyse_turn(self, text: str, speaker: str, turn: int = 0, context: str = ""):
        if "calm down" in text.lower():
            return [Detection("says_calm_down", turn, text, 1.0, "pattern")]
        return []


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture()
def keyword_analyzer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        trainer.chat,
        "make_simulator",
        lambda backend, strategy: runtime.make_simulator(backend, strategy, KeywordAnalyzer()),
    )


def _chat(monkeypatch, stdin: io.StringIO, *extra: str) -> int:
    monkeypatch.setattr("sys.stdin", stdin)
    return main(["chat", "angry-escalation", "--no-model", "--personas", str(PERSONAS), *extra])


def test_piped_lines_get_one_reply_each_then_the_call_as_json(
    keyword_analyzer, monkeypatch, capsys
):
    stdin = io.StringIO(
        "Hello, Northwind Broadband.\nCalm down, sir.\nCalm down.\nCalm down, honestly.\n"
        "Never read.\n"
    )
    assert _chat(monkeypatch, stdin) == 0
    *replies, last = capsys.readouterr().out.splitlines()
    # mood 7 drifts to 8: the supervisor demand; "calm down" pushes him to 10, but a hard
    # caller hangs up only on the third rude line (persistence.rude_turns)
    assert replies[0].removeprefix("customer: ") in BEATS["demand-supervisor"].say
    assert replies[1].removeprefix("customer: ") in BEATS["calm-down"].say
    assert replies[2].removeprefix("customer: ") not in BEATS["walks-out"].say
    assert replies[3].removeprefix("customer: ") in BEATS["walks-out"].say
    assert len(replies) == 4  # the call ended, so the fifth line is not read
    result = json.loads(last)
    assert result["outcome"] == "hung_up" and result["backend"] == "scripted"
    turns = result["transcript"]["turns"]
    assert (turns[0]["speaker"], turns[0]["text"]) == ("customer", PERSONA.opening)
    assert [t["speaker"] for t in turns] == ["customer", "agent"] * 4 + ["customer"]
    assert result["mood_curve"] == [7, 8, 10, 10, 10]


def test_piped_end_ends_the_call_by_the_agent(keyword_analyzer, monkeypatch, capsys):
    assert _chat(monkeypatch, io.StringIO("Hello.\n/end\nNever read.\n")) == 0
    *replies, last = capsys.readouterr().out.splitlines()
    assert len(replies) == 1
    result = json.loads(last)
    assert result["outcome"] != "ongoing"
    assert [t["text"] for t in result["transcript"]["turns"]][:2] == [PERSONA.opening, "Hello."]


def test_the_same_seed_gives_the_same_call(keyword_analyzer, monkeypatch, capsys):
    outs = []
    for _ in range(2):
        assert _chat(monkeypatch, io.StringIO("Hello.\nRight.\n"), "--seed", "4") == 0
        outs.append(capsys.readouterr().out.splitlines()[:-1])
    assert outs[0] == outs[1] and len(outs[0]) == 2


def test_at_a_terminal_it_shows_the_opening_reply_and_mood(keyword_analyzer, monkeypatch, capsys):
    assert _chat(monkeypatch, Terminal("Hello, Northwind Broadband.\n/quit\n")) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{PERSONA.name} — {PERSONA.summary}")
    assert f"customer: {PERSONA.opening}  [mood 7/10 angry]" in out
    reply = out.split("you> customer: ", 1)[1].split("  [mood", 1)[0]
    assert reply in BEATS["demand-supervisor"].say
    assert "[mood 8/10 angry]" in out
    assert "call ended" not in out  # /quit leaves without ending the call


def test_at_a_terminal_repeated_calm_downs_end_the_call(keyword_analyzer, monkeypatch, capsys):
    assert _chat(monkeypatch, Terminal("Hello.\nCalm down.\nCalm down.\nCalm down!\n")) == 0
    out = capsys.readouterr().out
    assert out.count("you> ") == 4
    assert out.rstrip().endswith("call ended: hung_up")


def test_an_unknown_persona_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("Hello.\n"))
    assert main(["chat", "angry-escalatoin", "--no-model", "--personas", str(PERSONAS)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: unknown persona 'angry-escalatoin'.")
    assert "Did you mean: angry-escalation?" in err


@pytest.mark.minilm
@needs_minilm
def test_piped_call_with_the_real_analyser(monkeypatch, capsys):
    stdin = io.StringIO("Calm down, sir.\n")
    assert _chat(monkeypatch, stdin) == 0
    reply, last = capsys.readouterr().out.splitlines()
    # one "calm down" takes Derek to 10: he demands a supervisor, but does not hang up yet
    assert reply.removeprefix("customer: ") in (
        BEATS["calm-down"].say + BEATS["demand-supervisor"].say
    )
    assert json.loads(last)["transcript"]["turns"][1]["text"] == "Calm down, sir."
