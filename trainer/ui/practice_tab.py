"""The practice tab's layout and wiring: cards, picker, the call, the meters, the scorecard.

Wiring only: every event calls a handler of :mod:`trainer.ui.practice` with the
session's ``gr.State`` and, for the ownership check, the ``gr.Request``.
"""

from __future__ import annotations

from collections.abc import Iterator

import gradio as gr

from trainer.ui import render
from trainer.ui.cards import CARDS_JS
from trainer.ui.context import AppContext
from trainer.ui.practice import (
    PLACEHOLDER,
    end_call,
    line_box,
    refresh_personas,
    rewind,
    send_line,
    start_call,
)
from trainer.ui.practice_session import PracticeSession
from trainer.ui.practice_view import (
    Outputs,
    PracticeView,
    backend_notice,
    chatbot_messages,
    status_line,
)

CHAT_HEIGHT = "max(240px, calc(100vh - 400px))"
"""The chat fills a laptop screen (1280x720) with the box and the meter still in view."""

PRACTICE_CSS = """<style>
.fl-sr-only{position:absolute!important;width:1px!important;min-width:0!important;height:1px!important;
padding:0!important;
margin:-1px!important;overflow:hidden!important;clip:rect(0,0,0,0)!important;border:0!important}
#call-chat button[aria-label="Clear"]{display:none}
#fl-title h2{margin:0}
</style>"""
"""The radio the cards drive, visually hidden; the chat's Clear icon hidden (a call is kept).
Part of the page's style (:func:`trainer.ui.app.build_app`)."""


def build_practice_tab(
    demo: gr.Blocks, ctx: AppContext, name_box: gr.Textbox, tab: gr.Tab | None = None
) -> PracticeView:
    """Lay out the practice tab inside the current ``gr.Tab`` and wire its events; the
    persona cards are refreshed on page load and whenever ``tab`` is selected (a persona
    saved in the studio shows up without a reload). Returns the tab's components (History
    resumes a call into them)."""
    session = gr.State(None)
    cards_now, picker_now = refresh_personas(ctx)  # refreshed again on every page load
    with gr.Accordion("Your customer", open=True, elem_id="pick-customer") as chooser:
        cards = gr.HTML(cards_now, js_on_load=CARDS_JS, elem_id="persona-cards")
        # The cards drive it; kept (visually hidden) for keyboard and screen readers.
        picker = gr.Radio(
            label="Your customer", choices=picker_now["choices"], value=picker_now["value"],
            elem_id="persona-picker", elem_classes="fl-sr-only",
        )  # fmt: skip
        with gr.Row(equal_height=True):
            start = gr.Button("Start call", variant="primary", scale=1, elem_id="start-call")
            start_message = gr.HTML(elem_id="start-message", scale=3)
        with gr.Row(visible=False, elem_id="confirm-start-row") as confirm:
            confirm_text = gr.Markdown(elem_id="confirm-start-text")
            abandon = gr.Button(
                "Abandon it, start the new call", variant="stop", elem_id="confirm-start"
            )
            keep = gr.Button("Keep this call", elem_id="keep-call")
    with gr.Row():
        with gr.Column(scale=3):
            chat = gr.Chatbot(
                label="Call", height=CHAT_HEIGHT, buttons=["copy_all"], elem_id="call-chat"
            )
            with gr.Row():
                line = gr.Textbox(
                    placeholder=PLACEHOLDER, show_label=False, scale=5, elem_id="agent-line"
                )
                send = gr.Button("Send", scale=1, elem_id="send-line")
        with gr.Column(scale=2):
            status = gr.Markdown(status_line(None), elem_id="call-status")
            notice = gr.HTML(backend_notice(ctx.simulator.backend, None), elem_id="backend-notice")
            mood = gr.HTML(render.mood_meter(None), elem_id="mood-meter")
            with gr.Row(equal_height=True):
                timer = gr.HTML(
                    render.call_timer(None), js_on_load=render.TIMER_JS, elem_id="timer"
                )
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
    ui = PracticeView(
        session, line, chat, mood, timer, status, scorecard, curve, back_to, download, notice,
        confirm, confirm_text, chooser, start_message,
    )  # fmt: skip

    def _start(
        current: PracticeSession | None, persona_id: str | None, name: str, request: gr.Request
    ) -> Outputs:
        return start_call(ctx, ui, current, persona_id, name, request)

    def _abandon(
        current: PracticeSession | None, persona_id: str | None, name: str, request: gr.Request
    ) -> Outputs:
        return start_call(ctx, ui, current, persona_id, name, request, confirmed=True)

    def _send(current: PracticeSession | None, text: str, request: gr.Request) -> Iterator[Outputs]:
        yield from send_line(ctx, ui, current, text, request)

    def _end(current: PracticeSession | None, request: gr.Request) -> Outputs:
        return end_call(ctx, ui, current, request)

    def _rewind(current: PracticeSession | None, turn: int | None, request: gr.Request) -> Outputs:
        return rewind(ctx, ui, current, turn, request)

    def _personas(persona_id: str | None = None) -> Outputs:
        html, choices = refresh_personas(ctx, persona_id)
        return {cards: html, picker: choices}

    starting = ui.starting
    start.click(_start, [session, picker, name_box], starting, api_name="start_call")
    abandon.click(_abandon, [session, picker, name_box], starting, api_name="abandon_and_start")
    keep.click(lambda: gr.update(visible=False), None, confirm, api_visibility="private")
    gr.on(
        [send.click, line.submit],
        _send,
        [session, line],
        [session, line, *ui.shown],
        api_name="send_line",
        concurrency_id="model",
    ).then(  # the box back even after an error, keeping whatever was typed since
        lambda: line_box(clear=False), None, line, api_visibility="private", show_progress="hidden"
    )
    # The chat's own Clear icon is hidden (PRACTICE_CSS); were it pressed, the call is kept.
    chat.clear(
        lambda current: chatbot_messages(current.states) if current else [],
        session, chat, api_visibility="private",
    )  # fmt: skip
    end.click(_end, [session], [session, *ui.shown], api_name="end_call")
    back.click(_rewind, [session, back_to], [session, line, *ui.shown], api_name="rewind")
    # Both keep the customer picked, when it is still there (a card clicked while the page
    # loads stays picked).
    demo.load(_personas, picker, [cards, picker], api_name="personas")
    if tab is not None:
        tab.select(_personas, picker, [cards, picker], api_visibility="private")
    return ui
