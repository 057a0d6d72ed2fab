"""Resume an unfinished call: a saved ``ongoing`` call, reopened from History into Practice.

Every turn is saved to the store, so after a closed tab, a crash or a restart the
trainee's call is still there, ``ongoing``. :func:`replay` rebuilds the practice
session from it without a model or the analyser: each saved agent line goes through
the simulator's pure turn (:func:`~trainer.simulation.step.step`) with the signals
recorded for it, and the customer's saved reply is kept as it was said
(:meth:`~trainer.simulation.step.Step.with_reply`). The states after every turn come
back, so rewinding works as in a call that never stopped.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

import gradio as gr

from trainer.simulation.state import CallState, start_state
from trainer.simulation.step import step
from trainer.ui.context import AppContext
from trainer.ui.practice_session import PracticeSession
from trainer.ui.practice_view import Outputs, PracticeView, backend_notice
from trainer.ui.store import CallRecord

log = logging.getLogger(__name__)

CHANGED = (
    "This customer's file was edited since the call was saved: the call goes on as "
    "it was saved, but rewinding replays the turns with the edited customer."
)


def replay(
    persona: Any, saved: CallState, strategy: Any = "continuation"
) -> tuple[tuple[CallState, ...], bool]:
    """(the state after each agent turn of ``saved``, its opening first; whether the
    replay reproduced ``saved`` exactly), replayed purely from the saved lines and signals.

    The last state is always ``saved`` itself. The ones before it equal the states the
    call went through, unless the persona was edited since: then they are what the
    edited persona makes of the same lines, and the flag is False.
    """
    state = start_state(persona, saved.call_id, seed=saved.seed)
    state = state.model_copy(
        update={"transcript": saved.transcript[:1], "mood_curve": saved.mood_curve[:1]}
    )
    states = [state]
    lines = saved.transcript[1:]
    for n, record in enumerate(saved.records):
        agent, customer = lines[2 * n], lines[2 * n + 1]
        plan = step(persona, state, agent.text, set(record.signals), strategy)
        state = plan.with_reply(customer.text, record.source, record.guard_rejections)
        states.append(state)
    exact = states[-1] == saved
    if not exact:
        log.warning("call %s replays differently (persona %s edited?)", saved.call_id, persona.id)
    return (*states[:-1], saved), exact


def resumable(record: CallRecord | None) -> bool:
    """True for a saved call that has not ended (and has a state to rebuild)."""
    return record is not None and record.outcome == "ongoing" and bool(record.state)


def session_from(ctx: AppContext, record: CallRecord) -> tuple[PracticeSession, bool]:
    """(the practice session rebuilt from a saved ongoing call, whether it replayed exactly)."""
    persona = ctx.personas().personas.get(record.persona)
    if persona is None:
        raise gr.Error(
            f"The customer of this call ({record.persona!r}) is no longer in the personas "
            "folder, so the call cannot go on."
        )
    saved = CallState.model_validate(record.state)
    if len(saved.transcript) != 1 + 2 * len(saved.records):
        raise gr.Error("This call was saved in the middle of a turn and cannot be resumed.")
    states, exact = replay(persona, saved, getattr(ctx.simulator, "strategy", "continuation"))
    # The timer goes on from where the call was left, not from when it was started.
    spent = max(0.0, _epoch(record.updated) - _epoch(record.started))
    session = PracticeSession(persona, record.trainee, states, started=time.time() - spent)
    return session, exact


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def resume_call(
    ctx: AppContext,
    ui: PracticeView,
    session: PracticeSession | None,
    name: str,
    call_id: str | None,
    request: gr.Request | None = None,
) -> Outputs:
    """Reopen one of your saved, unfinished calls in Practice; every practice output.

    The call you were on in this tab (if any) stays saved as it is, still resumable.
    Only your own calls: another trainee's id is refused like a call that is not there.
    """
    trainee = ctx.trainee(name, request)
    if not trainee:
        raise gr.Error("Enter your name first (it is remembered for this session).")
    record = ctx.store.get(call_id, trainee=trainee) if call_id else None
    if record is None:
        raise gr.Error("Pick one of your calls in the list first.")
    if not resumable(record):
        raise gr.Error("That call has ended: only an unfinished (ongoing) call can be resumed.")
    if session is not None and session.state.call_id == record.id and not session.state.ended:
        resumed, exact = session, True  # already open here: nothing to rebuild
    else:
        resumed, exact = session_from(ctx, record)
    notice = backend_notice(ctx.simulator.backend, resumed)
    if not exact:
        from trainer.ui import render

        notice = render.notice(CHANGED, "info") + notice
    return ui.started(resumed, notice=notice)


def wire_resume(
    ctx: AppContext,
    ui: PracticeView,
    button: gr.Button,
    name_box: gr.Textbox,
    pick: gr.Dropdown,
    tabs: gr.Tabs,
    practice_id: str = "practice",
) -> None:
    """History's Resume button: the picked call into the practice tab, which is shown."""

    def _resume(
        current: PracticeSession | None, name: str, call_id: str | None, request: gr.Request
    ) -> Outputs:
        outs = resume_call(ctx, ui, current, name, call_id, request)
        return {**outs, tabs: gr.Tabs(selected=practice_id)}

    outputs = [*ui.starting, tabs]
    button.click(_resume, [ui.session, name_box, pick], outputs, api_name="resume_call")
