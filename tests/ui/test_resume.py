"""Resuming an unfinished call: the pure replay, and the handler through the HTTP API.

The replay is checked against the states a real call went through (scripted backend,
real analyser); the handler with ``gradio_client`` as a trainee who closed the tab.
"""

from __future__ import annotations

import pytest
from gradio_client.exceptions import AppError
from test_handlers import EMPATHY, FIX, named, send, start
from ui_helpers import RunningApp, chat_texts, connect

from trainer.personas.loading import find_persona
from trainer.simulation import CallState
from trainer.ui.resume import replay


def resume(client, name: str, call_id: str) -> dict:
    """The shown outputs of /resume_call (also: the question and the Start message, cleared;
    the layouts it folds and the tab it selects are not sent to clients)."""
    *shown, _question, message = client.predict(name, call_id, api_name="/resume_call")
    assert message == ""
    return named(shown)


def test_replay_rebuilds_every_state_without_a_model_or_the_analyser(app: RunningApp) -> None:
    persona = find_persona("angry-escalation", app.personas_dir)
    states = [app.simulator.start(persona, call_id="call-replay", seed=3)]
    for line in (EMPATHY, FIX, "Is there anything else I can help you with today?"):
        states.append(app.simulator.reply(persona, states[-1], line).finish())
    saved = CallState.model_validate(states[-1].model_dump(mode="json"))  # as the store has it

    replayed, exact = replay(persona, saved, app.simulator.strategy)
    assert exact and list(replayed) == states
    # An edited customer: the saved call still goes on as saved, the flag says so.
    edited = persona.model_copy(update={"reactions": {**persona.reactions, "apologises": 3}})
    again, exact = replay(edited, saved, app.simulator.strategy)
    assert not exact and again[-1] == saved and len(again) == len(states)


def test_a_call_left_in_a_closed_tab_resumes_and_goes_on(app: RunningApp) -> None:
    first = connect(app.url)
    start(first, "resume-rita")
    send(first, EMPATHY)
    _, before = send(first, FIX)
    del first  # the tab is closed: its gr.State is gone, the store has every turn

    tab = connect(app.url)
    _, _, pick = tab.predict("resume-rita", api_name="/my_calls")
    label, call_id = pick["choices"][0]
    assert "unfinished" in label and pick["value"] == call_id  # picked, ready to resume
    card, _ = tab.predict("resume-rita", call_id, api_name="/open_call")
    assert "Resume it" in card
    back = resume(tab, "resume-rita", call_id)
    assert chat_texts(back["chat"]) == chat_texts(before["chat"])
    assert back["mood"] == before["mood"] and "turn 2" in back["status"]
    assert [c[1] for c in back["rewind"]["choices"]] == [1, 2]

    _, last = send(tab, "Is there anything else I can help you with today?")
    kept = chat_texts(before["chat"])
    assert chat_texts(last["chat"])[: len(kept)] == kept and len(last["chat"]) == len(kept) + 2
    calls = app.store.list_calls("resume-rita")
    assert [c.id for c in calls] == [call_id] and calls[0].agent_turns == 3
    # Rewinding reaches turns said before the tab was closed.
    line, *shown = tab.predict(1, api_name="/rewind")
    assert line == EMPATHY and len(chat_texts(named(shown)["chat"])) == 1
    assert app.store.get(call_id).agent_turns == 0


def test_only_your_own_unfinished_calls_resume(app: RunningApp) -> None:
    ana, ben = connect(app.url), connect(app.url)
    start(ana, "resume-ana")
    send(ana, EMPATHY)
    ongoing = app.store.list_calls("resume-ana")[-1].id
    with pytest.raises(AppError, match="Pick one of your calls"):
        resume(ben, "resume-ben", ongoing)
    ana.predict(api_name="/end_call")
    with pytest.raises(AppError, match="only an unfinished"):
        resume(ana, "resume-ana", ongoing)
