"""The trainee's page: pick a customer, take the call, read the scorecard, rewind.

The call lives in one ``gr.State`` per browser session: a frozen
:class:`~trainer.ui.practice_session.PracticeSession` (``None`` before the first
call), replaced, never changed, by every handler. Handlers return
``{component: value}`` for the components of :class:`PracticeView`. Every turn is
saved to the store before the reply is shown as final.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import gradio as gr
from gradio.components import Component

from trainer.ui import render
from trainer.ui.context import AppContext
from trainer.ui.practice_session import PracticeSession

Outputs = dict[Component, Any]

log = logging.getLogger(__name__)


def chatbot_messages(states: Sequence[Any]) -> list[dict[str, str]]:
    """The transcript as chatbot messages: the customer is the assistant, you are the user."""
    turns = states[-1].transcript if states else ()
    return [
        {"role": "user" if t.speaker == "agent" else "assistant", "content": t.text} for t in turns
    ]


def rewind_choices(session: PracticeSession) -> list[tuple[str, int]]:
    """One choice per agent turn so far: rewinding to turn N takes back your Nth line."""
    choices = []
    for n in range(1, session.agent_turns + 1):
        line = session.line_at(n)
        short = line if len(line) <= 50 else line[:47] + "…"
        choices.append((f"Turn {n}: {short}", n))
    return choices


def new_call(ctx: AppContext, persona: Any, trainee: str) -> PracticeSession:
    """A fresh session, the customer's opening said."""
    return PracticeSession.begin(persona, trainee, ctx.simulator.start(persona))


def score_call(ctx: AppContext, session: PracticeSession) -> dict[str, Any]:
    """Grade the call with the rubric (plus the persona's required criteria)."""
    from trainer.rubric.model import with_requirements
    from trainer.scoring.scorer import score_transcript

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
    )
    ctx.store.save_call(session.trainee, state, card)
    return card.model_dump(mode="json")


def _status(session: PracticeSession | None) -> str:
    if session is None:
        return "Pick a customer, enter your name and start the call."
    state, persona = session.state, session.persona
    if state.ended:
        how = state.outcome.replace("_", " ")
        return f"Call with {persona.name} ended: **{how}**. Rewind to try another line."
    return f"On a call with **{persona.name}** — turn {state.turn}. Type your line below."


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


@dataclass(frozen=True, eq=False)
class PracticeView:
    """The practice tab's components: the keys of every handler's ``{component: value}``."""

    session: gr.State
    line: gr.Textbox
    chat: gr.Chatbot
    mood: gr.HTML
    timer: gr.HTML
    status: gr.Markdown
    scorecard: gr.HTML
    curve: gr.HTML
    rewind_to: gr.Dropdown
    download: gr.DownloadButton

    @property
    def shown(self) -> list[Component]:
        """What :meth:`show` fills in, in the order the API returns them."""
        return [
            self.chat, self.mood, self.timer, self.status,
            self.scorecard, self.curve, self.rewind_to, self.download,
        ]  # fmt: skip

    def show(self, session: PracticeSession | None, chat: list | None = None) -> Outputs:
        """Every shown output from the session (``chat`` overrides the chat while streaming)."""
        if session is None:
            return {
                self.chat: [], self.mood: render.mood_meter(None),
                self.timer: render.call_timer(None), self.status: _status(None),
                self.scorecard: "", self.curve: "",
                self.rewind_to: gr.update(choices=[], value=None), self.download: None,
            }  # fmt: skip
        state, persona, card = session.state, session.persona, session.scorecard
        curve = render.line_chart(list(state.mood_curve), y_max=10, title="Mood over the call")
        return {
            self.chat: chat if chat is not None else chatbot_messages(session.states),
            self.mood: render.mood_meter(state.mood, persona.band(state.mood)),
            self.timer: render.call_timer(session.started, session.ended_at),
            self.status: _status(session),
            self.scorecard: render.scorecard_html(card, [t.speaker for t in state.transcript]),
            self.curve: curve if state.ended or card else "",
            self.rewind_to: gr.update(choices=rewind_choices(session), value=None),
            self.download: session.file,
        }

    def update(self, session: PracticeSession | None, chat: list | None = None) -> Outputs:
        """The session stored and every shown output (what start, end and each yield return)."""
        return {self.session: session, **self.show(session, chat)}


def refresh_personas(ctx: AppContext) -> tuple[str, Any]:
    """Persona cards and the picker, from the folder as it is now."""
    found = ctx.personas()
    personas = list(found.personas.values())
    choices = [(f"{p.name} — {p.difficulty}", p.id) for p in personas]
    value = choices[0][1] if choices else None
    return render.persona_cards(personas), gr.update(choices=choices, value=value)


def start_call(
    ctx: AppContext, ui: PracticeView, persona_id: str | None, name: str, request: gr.Request
) -> Outputs:
    """Start a call with the chosen customer: the new session and every output."""
    trainee = ctx.trainee(name, request)
    if not trainee:
        raise gr.Error("Enter your name first (it is remembered for this session).")
    persona = ctx.personas().personas.get(persona_id or "")
    if persona is None:
        raise gr.Error(f"Pick a customer first (no persona {persona_id!r}).")
    session = new_call(ctx, persona, trainee)
    ctx.store.save_call(trainee, session.state)
    return ui.update(session)


def send_line(
    ctx: AppContext, ui: PracticeView, session: PracticeSession | None, line: str
) -> Iterator[Outputs]:
    """Stream the customer's reply to your line; yields the session, the box and the outputs."""
    line = (line or "").strip()
    if session is None:
        raise gr.Error("Start a call first.")
    state = session.state
    if not line or state.ended:
        if state.ended:
            gr.Warning("The call has ended: rewind to an earlier turn or start a new call.")
        yield {**ui.update(session), ui.line: line}
        return
    history = chatbot_messages(session.states) + [{"role": "user", "content": line}]
    stream = ctx.simulator.reply(session.persona, state, line)
    yield {**ui.update(session, history), ui.line: ""}
    text = ""
    for piece in stream:
        text += piece
        chat = [*history, {"role": "assistant", "content": text}]
        yield {**ui.update(session, chat), ui.line: ""}
    session = session.after_turn(stream.finish())
    ctx.store.save_call(session.trainee, session.state)
    if session.state.ended:
        session = _finish(ctx, session)
    yield {**ui.update(session), ui.line: ""}


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


def end_call(ctx: AppContext, ui: PracticeView, session: PracticeSession | None) -> Outputs:
    """You hang up: the call ends and the scorecard appears."""
    from trainer.simulation import end_by_agent

    if session is None:
        raise gr.Error("No call in progress.")
    if session.state.ended and session.scorecard:
        return ui.update(session)
    session = _finish(ctx, session.with_state(end_by_agent(session.state)))
    return ui.update(session)


def rewind(
    ctx: AppContext, ui: PracticeView, session: PracticeSession | None, turn: int | None
) -> Outputs:
    """Take back your line at ``turn`` (and everything after); it comes back to edit."""
    if session is None or not turn:
        raise gr.Error("Pick the turn to go back to.")
    try:
        line = session.line_at(int(turn))
    except ValueError as err:
        raise gr.Error(str(err)) from None
    # A scored attempt stays in the history, scored; the retry is then a new call.
    session = session.rewound(int(turn))
    ctx.store.save_call(session.trainee, session.state)
    return {**ui.update(session), ui.line: line}


def build_practice_tab(demo: gr.Blocks, ctx: AppContext, name_box: gr.Textbox) -> None:
    """Lay out the practice tab inside the current ``gr.Tab`` and wire its events."""
    session = gr.State(None)
    cards_now, picker_now = refresh_personas(ctx)  # refreshed again on every page load
    cards = gr.HTML(cards_now)
    with gr.Row():
        picker = gr.Radio(
            label="Your customer", choices=picker_now["choices"], value=picker_now["value"],
            scale=3, elem_id="persona-picker",
        )  # fmt: skip
        start = gr.Button("Start call", variant="primary", scale=1, elem_id="start-call")
    with gr.Row():
        with gr.Column(scale=3):
            status = gr.Markdown(_status(None), elem_id="call-status")
            chat = gr.Chatbot(label="Call", height=380, buttons=["copy_all"], elem_id="call-chat")
            with gr.Row():
                line = gr.Textbox(
                    placeholder="Say something to the customer and press Enter",
                    show_label=False, scale=5, elem_id="agent-line",
                )  # fmt: skip
                send = gr.Button("Send", scale=1, elem_id="send-line")
        with gr.Column(scale=2):
            mood = gr.HTML(render.mood_meter(None), elem_id="mood-meter")
            timer = gr.HTML(render.call_timer(None), js_on_load=render.TIMER_JS, elem_id="timer")
            end = gr.Button("End call", variant="stop", elem_id="end-call")
            with gr.Row():
                back_to = gr.Dropdown(label="Rewind to", choices=[], scale=3, elem_id="rewind-to")
                back = gr.Button("Rewind", scale=1, elem_id="rewind")
            download = gr.DownloadButton(
                "Download transcript + scorecard (JSON)", elem_id="download"
            )
    with gr.Row():
        scorecard = gr.HTML(elem_id="scorecard", scale=3)
        curve = gr.HTML(elem_id="mood-curve", scale=2)
    ui = PracticeView(session, line, chat, mood, timer, status, scorecard, curve, back_to, download)

    def _start(persona_id: str | None, name: str, request: gr.Request) -> Outputs:
        return start_call(ctx, ui, persona_id, name, request)

    def _send(current: PracticeSession | None, text: str) -> Iterator[Outputs]:
        yield from send_line(ctx, ui, current, text)

    def _end(current: PracticeSession | None) -> Outputs:
        return end_call(ctx, ui, current)

    def _rewind(current: PracticeSession | None, turn: int | None) -> Outputs:
        return rewind(ctx, ui, current, turn)

    def _personas() -> Outputs:
        html, choices = refresh_personas(ctx)
        return {cards: html, picker: choices}

    start.click(_start, [picker, name_box], [session, *ui.shown], api_name="start_call")
    gr.on(
        [send.click, line.submit], _send, [session, line], [session, line, *ui.shown],
        api_name="send_line", concurrency_id="model",
    )  # fmt: skip
    end.click(_end, [session], [session, *ui.shown], api_name="end_call")
    back.click(_rewind, [session, back_to], [session, line, *ui.shown], api_name="rewind")
    demo.load(_personas, None, [cards, picker], api_name="personas")
