"""The practice view's notice: when the customer's words are scripted, the page says why."""

from __future__ import annotations

from dataclasses import replace
from html import escape
from pathlib import Path

import pytest

from trainer.llm.base import BackendError
from trainer.llm.fake import FakeBackend
from trainer.llm.scripted import ScriptedBackend
from trainer.personas.loading import Persona, find_persona
from trainer.simulation import Simulator
from trainer.ui.practice_session import PracticeSession
from trainer.ui.practice_view import (
    NOT_ANSWERED,
    OUT_OF_CHARACTER,
    backend_notice,
    status_line,
)

REPO = Path(__file__).resolve().parents[2]


class NoSignals:
    def analyse_turn(self, text: str, speaker: str, turn: int = 0, context: str = "") -> list:
        return []


class Down(FakeBackend):
    """A fake whose circuit is open."""

    def outage(self) -> str | None:
        return "The model server is not answering, so the customer speaks scripted lines."


@pytest.fixture(scope="module")
def persona() -> Persona:
    return find_persona("warm-up", REPO / "personas")


def one_turn(
    persona: Persona, backend, line: str = "Hello, how can I help you?"
) -> PracticeSession:
    """A session after one agent turn played by ``backend`` (chat strategy: no beat lead)."""
    sim = Simulator(backend, NoSignals(), strategy="chat")
    session = PracticeSession.begin(persona, "ana", sim.start(persona, call_id="call-n"))
    return session.after_turn(sim.reply(persona, session.state, line).finish())


def test_a_model_that_answers_or_no_model_at_all_gets_no_notice(persona: Persona) -> None:
    assert backend_notice(ScriptedBackend(), one_turn(persona, ScriptedBackend())) == ""
    fake = FakeBackend(["Oh lovely, thank you. So what do you need from me first?"])
    session = one_turn(persona, fake)
    assert session.state.records[-1].source == "model"
    assert backend_notice(fake, session) == "" and backend_notice(fake, None) == ""


def test_a_backend_error_says_the_line_was_scripted(persona: Persona) -> None:
    fake = FakeBackend([BackendError("refused"), BackendError("refused")])
    session = one_turn(persona, fake)
    note = backend_notice(fake, session)
    assert escape(NOT_ANSWERED) in note and "fl-warn" in note


def test_a_reply_that_broke_character_says_so(persona: Persona) -> None:
    ai = "As an AI language model, I cannot have a broadband account or move house."
    fake = FakeBackend([ai, ai])
    session = one_turn(persona, fake)
    assert session.state.records[-1].source == "fallback"
    assert escape(OUT_OF_CHARACTER) in backend_notice(fake, session)


def test_an_outage_comes_first_and_is_shown_before_any_turn(persona: Persona) -> None:
    down = Down([BackendError("refused")] * 2)
    session = one_turn(persona, down)
    assert "not answering" in backend_notice(down, session)
    assert "not answering" in backend_notice(down, None)
    note = ScriptedBackend.standing_in("The model could not start <b>x</b>.")
    assert "&lt;b&gt;" in backend_notice(note, None)  # escaped like all text on the page


def test_the_status_says_who_is_speaking(persona: Persona) -> None:
    session = one_turn(persona, ScriptedBackend())
    assert status_line(session, speaking=True) == f"**{persona.name}** is speaking…"
    assert "turn 1" in status_line(session)


def test_the_status_tells_the_trainee_when_the_caller_is_satisfied(persona: Persona) -> None:
    session = one_turn(persona, ScriptedBackend())
    satisfied = replace(session, states=(*session.states[:-1], session.state.model_copy(
        update={"satisfied": True})))  # fmt: skip
    assert "is satisfied" in status_line(satisfied) and "close the call" in status_line(satisfied)
    assert "is satisfied" not in status_line(session)
    ended = replace(session, states=(*session.states[:-1], session.state.model_copy(
        update={"outcome": "ended_for_abuse"})))  # fmt: skip
    assert "Ended under the abuse policy" in status_line(ended)
