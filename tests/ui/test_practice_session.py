"""PracticeSession: frozen, every transition a new session; and the practice view's outputs."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import pytest

from trainer.personas.loading import Persona, find_persona
from trainer.simulation.state import CallState, apply_agent_turn, end_by_agent, start_state
from trainer.transcripts.transcript import Turn
from trainer.ui.practice_session import PracticeSession

REPO = Path(__file__).resolve().parents[2]
EMPATHY = "I'm so sorry, I understand how frustrating that must be."
FIX = "I will call you back by 5pm today with an update on the technician."


@pytest.fixture(scope="module")
def persona() -> Persona:
    return find_persona("angry-escalation", REPO / "personas")


def said(persona: Persona, state: CallState, line: str, reply: str = "Go on.") -> CallState:
    """``state`` after the agent's ``line`` and the customer's ``reply`` (no model, no analyser)."""
    new, _ = apply_agent_turn(persona, state, line, set())
    return new.model_copy(
        update={"transcript": (*new.transcript, Turn(speaker="customer", text=reply))}
    )


def two_turns(persona: Persona) -> PracticeSession:
    """A session with two agent turns, call id ``call-one``, started at 100."""
    opening = start_state(persona, "call-one")
    session = PracticeSession.begin(persona, "ana", opening, now=100.0)
    session = session.after_turn(said(persona, session.state, EMPATHY))
    return session.after_turn(said(persona, session.state, FIX))


def test_a_session_begins_with_the_opening(persona: Persona) -> None:
    opening = start_state(persona, "call-one")
    session = PracticeSession.begin(persona, "ana", opening, now=100.0)
    assert session.states == (opening,) and session.state is opening
    assert (session.started, session.ended_at, session.scorecard, session.file) == (
        100.0, None, None, None,
    )  # fmt: skip
    assert session.agent_turns == 0 and not session.scored
    with pytest.raises(ValueError, match="opening"):
        PracticeSession(persona, "ana", (), 100.0)


def test_a_session_is_frozen_and_its_states_a_tuple(persona: Persona) -> None:
    opening = start_state(persona, "call-one")
    session = PracticeSession(persona, "ana", [opening], 100.0)  # type: ignore[arg-type]
    assert isinstance(session.states, tuple)  # nothing can append to it in place
    for name, value in (("states", ()), ("scorecard", {}), ("trainee", "ben")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(session, name, value)
    assert session.states == (opening,) and session.trainee == "ana"
    assert not isinstance(session, Hashable)  # Gradio tracks changes by identity


def test_turns_make_new_sessions_and_leave_the_old_ones_alone(persona: Persona) -> None:
    opening = start_state(persona, "call-one")
    first = PracticeSession.begin(persona, "ana", opening, now=100.0)
    after = said(persona, opening, EMPATHY, "Fine.")
    second = first.after_turn(after)
    assert first.states == (opening,) and second.states == (opening, after)
    assert second.state is after and second.agent_turns == 1
    assert second.line_at(1) == EMPATHY
    assert (second.persona, second.trainee, second.started) == (persona, "ana", 100.0)


def test_hanging_up_replaces_the_last_state_and_finishing_scores(persona: Persona) -> None:
    session = two_turns(persona)
    hung_up = session.with_state(end_by_agent(session.state))
    assert hung_up.agent_turns == session.agent_turns == 2
    assert hung_up.state.outcome == "ended_by_agent" and session.state.outcome == "ongoing"
    assert hung_up.states[:-1] == session.states[:-1]
    card = {"overall": 80.0}
    done = hung_up.finished(card, at=160.0, file="/tmp/call-one.json")
    assert (done.ended_at, done.scorecard, done.file) == (160.0, card, "/tmp/call-one.json")
    assert done.scored and not hung_up.scored and hung_up.ended_at is None
    assert done.finished({"error": "scoring failed: x"}, at=170.0).file is None


def test_rewinding_an_unscored_call_keeps_its_id(persona: Persona) -> None:
    session = two_turns(persona)
    back = session.rewound(2)
    assert back.states == session.states[:2] and back.state.call_id == "call-one"
    assert session.agent_turns == 2  # the session rewound is untouched
    assert session.rewound(1).states == session.states[:1]


def test_rewinding_a_scored_call_makes_the_retry_a_new_call(persona: Persona) -> None:
    session = two_turns(persona)
    done = session.with_state(end_by_agent(session.state)).finished(
        {"overall": 80.0}, at=160.0, file="/tmp/call-one.json"
    )
    retry = done.rewound(2, retry_id="call-two")
    assert [s.call_id for s in retry.states] == ["call-two", "call-two"]
    assert [s.transcript for s in retry.states] == [s.transcript for s in done.states[:2]]
    assert (retry.ended_at, retry.scorecard, retry.file) == (None, None, None)
    assert retry.started == done.started and not retry.state.ended
    # The scored attempt itself is unchanged (it stays in the history as it was).
    assert done.scored and {s.call_id for s in done.states} == {"call-one"}
    fresh = done.rewound(1)
    assert fresh.state.call_id.startswith("call-") and fresh.state.call_id != "call-one"
    assert fresh.state.call_id != done.rewound(1).state.call_id


@pytest.mark.parametrize("turn", [0, 3, -1])
def test_no_such_turn(persona: Persona, turn: int) -> None:
    session = two_turns(persona)
    with pytest.raises(ValueError, match=f"No turn {turn} in this call"):
        session.rewound(turn)
    with pytest.raises(ValueError, match=f"No turn {turn}"):
        session.line_at(turn)


def test_a_session_deep_copies_as_gr_state_does(persona: Persona) -> None:
    import gradio as gr

    session = two_turns(persona).finished({"overall": 80.0, "criteria": []}, at=160.0)
    twin = copy.deepcopy(session)
    assert twin == session and twin is not session
    assert twin.scorecard is not session.scorecard and twin.states[1] is not session.states[1]
    with gr.Blocks():
        state = gr.State(session)
    assert state.value == session and state.value is not session


def test_the_view_keys_every_output_by_its_component(persona: Persona) -> None:
    import gradio as gr

    from trainer.ui.practice import PracticeView, rewind_choices

    with gr.Blocks():
        ui = PracticeView(
            gr.State(None), gr.Textbox(), gr.Chatbot(), gr.HTML(), gr.HTML(), gr.Markdown(),
            gr.HTML(), gr.HTML(), gr.Dropdown(), gr.DownloadButton(),
        )  # fmt: skip
    session = two_turns(persona)
    for value in (None, session):
        shown: dict[Any, Any] = ui.show(value)
        assert list(shown) == ui.shown and ui.line not in shown
        assert ui.update(value) == {ui.session: value, **shown}
    shown = ui.show(session)
    assert shown[ui.chat] == [
        {"role": "assistant", "content": persona.opening},
        {"role": "user", "content": EMPATHY},
        {"role": "assistant", "content": "Go on."},
        {"role": "user", "content": FIX},
        {"role": "assistant", "content": "Go on."},
    ]
    assert ui.show(session, [])[ui.chat] == []  # the chat so far while streaming
    assert shown[ui.rewind_to]["choices"] == rewind_choices(session)
    assert rewind_choices(session) == [
        (f"Turn 1: {EMPATHY[:47]}…", 1),
        (f"Turn 2: {FIX[:47]}…", 2),
    ]
    assert shown[ui.scorecard] == "" and shown[ui.curve] == "" and shown[ui.download] is None
