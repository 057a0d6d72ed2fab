"""The trainee's page, its handlers: pick a customer, take the call, read the scorecard, rewind.

The call lives in one ``gr.State`` per browser session: a frozen
:class:`~trainer.ui.practice_session.PracticeSession` (``None`` before the first
call), replaced, never changed, by every handler. Handlers return
``{component: value}`` for the components of :class:`PracticeView`. Every turn is
saved to the store before the reply is shown as final. With logins on, a handler
touches a call only for the trainee who owns it (:func:`owned`): a session hash
taken from someone else changes nothing, and trainers only read, from History.
The layout and the events are in :mod:`trainer.ui.practice_tab`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import gradio as gr

from trainer.ui.cards import persona_cards
from trainer.ui.context import AppContext
from trainer.ui.practice_session import PracticeSession
from trainer.ui.practice_view import (
    Outputs,
    PracticeView,
    backend_notice,
    chatbot_messages,
    rewind_choices,
)

__all__ = [
    "PracticeView",
    "chatbot_messages",
    "end_call",
    "owned",
    "rewind",
    "rewind_choices",
    "send_line",
    "start_call",
]

log = logging.getLogger(__name__)

PLACEHOLDER = "Say something to the customer and press Enter"
NO_NAME = "Enter your name at the top first (it is remembered for this session)."


def new_call(ctx: AppContext, persona: Any, trainee: str) -> PracticeSession:
    """A fresh session, the customer's opening said."""
    return PracticeSession.begin(persona, trainee, ctx.simulator.start(persona))


def score_call(ctx: AppContext, session: PracticeSession) -> dict[str, Any]:
    """Grade the call with the rubric (plus the persona's required criteria)."""
    from trainer.rubric.model import with_requirements
    from trainer.scoring.scorer import Coaching, score_transcript

    state, persona = session.state, session.persona
    rubric = ctx.rubric()
    if persona.requires:
        rubric = with_requirements(rubric, list(persona.requires))
    card = score_transcript(
        state.to_transcript(),
        rubric,
        ctx.analyzer,
        outcome=state.outcome,
        mood_curve=list(state.mood_curve),
        model_id=ctx.model_id,
        persona_name=persona.name,
        coaching=Coaching(examples=dict(persona.coaching), company=persona.company),
    )
    ctx.store.save_call(session.trainee, state, card)
    return card.model_dump(mode="json")


def _download(ctx: AppContext, session: PracticeSession) -> str:
    state = session.state
    path = ctx.work_dir / f"{state.call_id}.json"
    data = {
        "trainee": session.trainee,
        "transcript": state.to_transcript().model_dump(mode="json"),
        "outcome": state.outcome,
        "mood_curve": list(state.mood_curve),
        "scorecard": session.scorecard,
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return str(path)


def refresh_personas(ctx: AppContext, picked: str | None = None) -> tuple[str, Any]:
    """Persona cards and the picker, from the folder as it is now; ``picked`` stays picked
    while it is there (else the first customer is)."""
    found = ctx.personas()
    personas = list(found.personas.values())
    choices = [(f"{p.name} — {p.difficulty}", p.id) for p in personas]
    ids = [c[1] for c in choices]
    value = picked if picked in ids else (ids[0] if ids else None)
    return persona_cards(personas, value), gr.update(choices=choices, value=value)


def owned(
    ctx: AppContext, session: PracticeSession | None, request: gr.Request | None
) -> PracticeSession | None:
    """``session``, when the logged-in user may change it; a ``gr.Error`` when it is not theirs.

    Gradio keys ``gr.State`` by the session hash the client sends, so a client that
    sends another session's hash gets that session's call. With logins on, the call's
    trainee must be the login name (a trainer too only reads, from History). Without
    logins there is no one to check: the hash is the only key.
    """
    if session is None or not ctx.auth:
        return session
    user = ctx.trainee(None, request)
    if session.trainee != user:
        log.warning(
            "refused %r a change to %r's call %s", user, session.trainee, session.state.call_id
        )
        raise gr.Error("This call belongs to another trainee: start a call of your own.")
    return session


def start_call(
    ctx: AppContext,
    ui: PracticeView,
    session: PracticeSession | None,
    persona_id: str | None,
    name: str,
    request: gr.Request | None,
    *,
    confirmed: bool = False,
) -> Outputs:
    """Start a call with the chosen customer: the new session and every output.

    During a call in which you have spoken, nothing happens until you confirm
    (``confirmed``: the Abandon button); the call left is saved as ``abandoned``, with
    its scorecard so far. A call in which you said nothing is simply left, abandoned.
    """
    owned(ctx, session, request)
    trainee = ctx.trainee(name, request)
    if not trainee:  # one message by the button, not an error on every output
        return ui.refuse(NO_NAME)
    persona = ctx.personas().personas.get(persona_id or "")
    if persona is None:
        return ui.refuse(f"Pick a customer first (click a card; no customer {persona_id!r}).")
    if session is not None and not session.state.ended:
        if session.agent_turns and not confirmed:
            return ui.ask(
                f"You are on a call with {session.persona.name} (turn {session.state.turn}). "
                f"Start a new call with {persona.name}? This one is saved as abandoned, "
                "with its scorecard so far."
            )
        abandoned = session.state.model_copy(update={"outcome": "abandoned"})
        _finish(ctx, session.with_state(abandoned))
    session = new_call(ctx, persona, trainee)
    ctx.store.save_call(trainee, session.state)
    return ui.started(session, notice=backend_notice(ctx.simulator.backend, session))


def line_box(*, speaking: str | None = None, clear: bool = True) -> Any:
    """The message box: disabled, saying who speaks, while the customer answers.

    ``clear=False`` gives it back without touching what is typed in it (after an event).
    """
    value = {"value": ""} if clear else {}
    if speaking:
        return gr.update(**value, interactive=False, placeholder=f"{speaking} is speaking…")
    return gr.update(**value, interactive=True, placeholder=PLACEHOLDER)


def send_line(
    ctx: AppContext,
    ui: PracticeView,
    session: PracticeSession | None,
    line: str,
    request: gr.Request | None = None,
) -> Iterator[Outputs]:
    """Stream the customer's reply to your line; yields the session, the box and the outputs.

    The box is disabled (and says so) from the first yield until the reply is kept, so a
    line typed meanwhile is never silently dropped; the status says who is speaking.
    """
    line = (line or "").strip()
    if session is None:
        raise gr.Error("Start a call first.")
    owned(ctx, session, request)
    state, backend = session.state, ctx.simulator.backend
    if not line or state.ended:
        if state.ended:
            gr.Warning("The call has ended: rewind to an earlier turn or start a new call.")
        yield {**ui.update(session, notice=backend_notice(backend, session)), ui.line: line}
        return
    history = chatbot_messages(session.states) + [{"role": "user", "content": line}]
    stream = ctx.simulator.reply(session.persona, state, line)
    notice = backend_notice(backend, None)  # only an outage, while the reply comes
    speaking = session.persona.name
    yield {
        **ui.update(session, history, notice=notice, speaking=True),
        ui.line: line_box(speaking=speaking),
    }
    text = ""
    for piece in stream:
        text += piece
        chat = [*history, {"role": "assistant", "content": text}]
        yield ui.update(session, chat, notice=notice, speaking=True)
    session = session.after_turn(stream.finish())
    ctx.store.save_call(session.trainee, session.state)
    if session.state.ended:
        session = _finish(ctx, session)
    yield {**ui.update(session, notice=backend_notice(backend, session)), ui.line: line_box()}


def _finish(ctx: AppContext, session: PracticeSession) -> PracticeSession:
    """Score the ended call and write its download (the time it ended is taken first)."""
    now = time.time()
    try:
        card = score_call(ctx, session)
    except Exception as err:  # noqa: BLE001 - the trainee still gets the call and a reason
        log.warning("scoring call %s failed: %s", session.states[-1].call_id, err, exc_info=True)
        card = {"error": f"scoring failed: {err}"}
    session = session.finished(card, at=now)
    return replace(session, file=_download(ctx, session))


def end_call(
    ctx: AppContext,
    ui: PracticeView,
    session: PracticeSession | None,
    request: gr.Request | None = None,
) -> Outputs:
    """You hang up: the call ends and the scorecard appears."""
    from trainer.simulation import end_by_agent

    if session is None:
        raise gr.Error("No call in progress.")
    owned(ctx, session, request)
    if not (session.state.ended and session.scorecard):
        session = _finish(ctx, session.with_state(end_by_agent(session.state)))
    return ui.update(session, notice=backend_notice(ctx.simulator.backend, session))


def rewind(
    ctx: AppContext,
    ui: PracticeView,
    session: PracticeSession | None,
    turn: int | None,
    request: gr.Request | None = None,
) -> Outputs:
    """Take back your line at ``turn`` (and everything after); it comes back to edit."""
    if session is None or not turn:
        raise gr.Error("Pick the turn to go back to.")
    owned(ctx, session, request)
    try:
        line = session.line_at(int(turn))
    except ValueError as err:
        raise gr.Error(str(err)) from None
    # A scored attempt stays in the history, scored; the retry is then a new call.
    session = session.rewound(int(turn))
    ctx.store.save_call(session.trainee, session.state)
    return {
        **ui.update(session, notice=backend_notice(ctx.simulator.backend, session)),
        ui.line: line,
    }
