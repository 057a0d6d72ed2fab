"""The trainee's page: pick a customer, take the call, read the scorecard, rewind.

The call lives in one ``gr.State`` per browser session: a dict with the persona,
the trainee, ``states`` (the :class:`CallState` after each agent turn, the
opening first: rewinding is a slice), the start time and the scorecard. Every
turn is saved to the store before the reply is shown as final.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import gradio as gr

from trainer.ui import render
from trainer.ui.context import AppContext

Call = dict[str, Any]


def chat_messages(states: list[Any]) -> list[dict[str, str]]:
    """The transcript as chatbot messages: the customer is the assistant, you are the user."""
    turns = states[-1].transcript if states else ()
    return [
        {"role": "user" if t.speaker == "agent" else "assistant", "content": t.text} for t in turns
    ]


def rewind_choices(states: list[Any]) -> list[tuple[str, int]]:
    """One choice per agent turn so far: rewinding to turn N takes back your Nth line."""
    choices = []
    for n in range(1, len(states)):
        line = states[n].transcript[-2].text
        short = line if len(line) <= 50 else line[:47] + "…"
        choices.append((f"Turn {n}: {short}", n))
    return choices


def new_call(ctx: AppContext, persona: Any, trainee: str) -> Call:
    """A fresh call dict, the customer's opening said."""
    state = ctx.simulator.start(persona)
    return {
        "persona": persona,
        "trainee": trainee,
        "states": [state],
        "started": time.time(),
        "ended_at": None,
        "scorecard": None,
        "file": None,
    }


def score_call(ctx: AppContext, call: Call) -> dict[str, Any]:
    """Grade the call with the rubric (plus the persona's required criteria)."""
    from trainer.rubric.model import with_requirements
    from trainer.scoring.scorer import score_transcript

    state, persona = call["states"][-1], call["persona"]
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
    ctx.store.save_call(call["trainee"], state, card)
    return card.model_dump(mode="json")


def _status(call: Call | None) -> str:
    if not call:
        return "Pick a customer, enter your name and start the call."
    state, persona = call["states"][-1], call["persona"]
    if state.ended:
        how = state.outcome.replace("_", " ")
        return f"Call with {persona.name} ended: **{how}**. Rewind to try another line."
    return f"On a call with **{persona.name}** — turn {state.turn}. Type your line below."


def _download(ctx: AppContext, call: Call) -> str:
    state = call["states"][-1]
    path = ctx.work_dir / f"{state.call_id}.json"
    data = {
        "trainee": call["trainee"],
        "transcript": state.to_transcript().model_dump(mode="json"),
        "outcome": state.outcome,
        "mood_curve": list(state.mood_curve),
        "scorecard": call["scorecard"],
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return str(path)


def view(call: Call | None, chat: list | None = None) -> tuple:
    """Every practice output from the call dict (``chat`` overrides the chat while streaming)."""
    if not call:
        return (
            [], render.mood_meter(None), render.call_timer(None), _status(None), "", "",
            gr.update(choices=[], value=None), None,
        )  # fmt: skip
    states, persona = call["states"], call["persona"]
    state = states[-1]
    card = call["scorecard"]
    curve = render.line_chart(list(state.mood_curve), y_max=10, title="Mood over the call")
    return (
        chat if chat is not None else chat_messages(states),
        render.mood_meter(state.mood, persona.band(state.mood)),
        render.call_timer(call["started"], call["ended_at"]),
        _status(call),
        render.scorecard_html(card, [t.speaker for t in state.transcript]),
        curve if state.ended or card else "",
        gr.update(choices=rewind_choices(states), value=None),
        call["file"],
    )


def refresh_personas(ctx: AppContext) -> tuple[str, Any]:
    """Persona cards and the picker, from the folder as it is now."""
    found = ctx.personas()
    personas = list(found.personas.values())
    choices = [(f"{p.name} — {p.difficulty}", p.id) for p in personas]
    value = choices[0][1] if choices else None
    return render.persona_cards(personas), gr.update(choices=choices, value=value)


def start_call(ctx: AppContext, persona_id: str | None, name: str, request: gr.Request) -> tuple:
    """Start a call with the chosen customer; returns the new call and every output."""
    trainee = ctx.trainee(name, request)
    if not trainee:
        raise gr.Error("Enter your name first (it is remembered for this session).")
    persona = ctx.personas().personas.get(persona_id or "")
    if persona is None:
        raise gr.Error(f"Pick a customer first (no persona {persona_id!r}).")
    call = new_call(ctx, persona, trainee)
    ctx.store.save_call(trainee, call["states"][0])
    return (call, *view(call))


def send_line(ctx: AppContext, call: Call | None, line: str) -> Iterator[tuple]:
    """Stream the customer's reply to your line; yields (call, textbox, *outputs) as it grows."""
    line = (line or "").strip()
    if not call:
        raise gr.Error("Start a call first.")
    state = call["states"][-1]
    if not line or state.ended:
        if state.ended:
            gr.Warning("The call has ended: rewind to an earlier turn or start a new call.")
        yield (call, line, *view(call))
        return
    history = chat_messages(call["states"]) + [{"role": "user", "content": line}]
    stream = ctx.simulator.reply(call["persona"], state, line)
    yield (call, "", *view(call, history))
    text = ""
    for piece in stream:
        text += piece
        yield (call, "", *view(call, [*history, {"role": "assistant", "content": text}]))
    new_state = stream.finish()
    call = {**call, "states": [*call["states"], new_state]}
    ctx.store.save_call(call["trainee"], new_state)
    if new_state.ended:
        call = _finish(ctx, call)
    yield (call, "", *view(call))


def _finish(ctx: AppContext, call: Call) -> Call:
    call = {**call, "ended_at": time.time()}
    try:
        call["scorecard"] = score_call(ctx, call)
    except Exception as err:  # noqa: BLE001 - the trainee still gets the call and a reason
        call["scorecard"] = {"error": f"scoring failed: {err}"}
    call["file"] = _download(ctx, call)
    return call


def end_call(ctx: AppContext, call: Call | None) -> tuple:
    """You hang up: the call ends and the scorecard appears."""
    from trainer.simulation import end_by_agent

    if not call:
        raise gr.Error("No call in progress.")
    state = call["states"][-1]
    if state.ended and call["scorecard"]:
        return (call, *view(call))
    call = {**call, "states": [*call["states"][:-1], end_by_agent(state)]}
    call = _finish(ctx, call)
    return (call, *view(call))


def rewind(ctx: AppContext, call: Call | None, turn: int | None) -> tuple:
    """Take back your line at ``turn`` (and everything after); it comes back to edit."""
    if not call or not turn:
        raise gr.Error("Pick the turn to go back to.")
    turn = int(turn)
    if not 1 <= turn < len(call["states"]):
        raise gr.Error(f"No turn {turn} in this call.")
    line = call["states"][turn].transcript[-2].text
    states = call["states"][:turn]
    if call["scorecard"] is not None:
        # The finished attempt stays in the history, scored; the retry is a new call.
        new_id = f"call-{uuid.uuid4().hex[:12]}"
        states = [s.model_copy(update={"call_id": new_id}) for s in states]
    call = {**call, "states": states, "ended_at": None, "scorecard": None, "file": None}
    ctx.store.save_call(call["trainee"], states[-1])
    return (call, line, *view(call))


def build_practice_tab(demo: gr.Blocks, ctx: AppContext, name_box: gr.Textbox) -> None:
    """Lay out the practice tab inside the current ``gr.Tab`` and wire its events."""
    call = gr.State(None)
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
    outs = [chat, mood, timer, status, scorecard, curve, back_to, download]

    def _start(persona_id: str | None, name: str, request: gr.Request) -> tuple:
        return start_call(ctx, persona_id, name, request)

    def _send(call: Call | None, text: str) -> Iterator[tuple]:
        yield from send_line(ctx, call, text)

    start.click(_start, [picker, name_box], [call, *outs], api_name="start_call")
    gr.on(
        [send.click, line.submit], _send, [call, line], [call, line, *outs],
        api_name="send_line", concurrency_id="model",
    )  # fmt: skip
    end.click(lambda c: end_call(ctx, c), [call], [call, *outs], api_name="end_call")
    back.click(
        lambda c, t: rewind(ctx, c, t), [call, back_to], [call, line, *outs], api_name="rewind"
    )
    demo.load(lambda: refresh_personas(ctx), None, [cards, picker], api_name="personas")
