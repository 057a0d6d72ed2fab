"""What the practice tab shows of a session: the chat, the meters, the notices.

:class:`PracticeView` holds the tab's components; ``show(session)`` fills every
one of them from a :class:`~trainer.ui.practice_session.PracticeSession` (pure: no
store, no model). :func:`backend_notice` says, in a line, when the customer's words
are scripted because the model is down or its reply was rejected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio.components import Component

from trainer.outcomes import outcome_title
from trainer.ui import render
from trainer.ui.practice_session import PracticeSession

Outputs = dict[Component, Any]

NOT_ANSWERED = "The model did not answer in time, so the customer's last line was scripted."
OUT_OF_CHARACTER = "The model's reply broke character, so the customer's last line was scripted."


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


def backend_notice(backend: Any, session: PracticeSession | None) -> str:
    """A small notice when the customer speaks scripted lines instead of the model's.

    The backend's ``outage()`` (the model could not start, the circuit is open) comes
    first; else the last turn's record: a backend error, or a reply the guard rejected.
    A call on purpose without a model (``source == "scripted"``) gets no notice.
    """
    outage = backend.outage() if backend is not None else None
    if outage:
        return render.notice(outage, "warn")
    records = session.state.records if session is not None else ()
    if records and "backend_error" in records[-1].guard_rejections:
        return render.notice(NOT_ANSWERED, "warn")
    if records and records[-1].source == "fallback":
        return render.notice(OUT_OF_CHARACTER, "warn")
    return ""


def status_line(session: PracticeSession | None, *, speaking: bool = False) -> str:
    """The line above the chat: what to do now (``speaking``: the customer is answering)."""
    if session is None:
        return "Pick a customer, enter your name and start the call."
    state, persona = session.state, session.persona
    if speaking:
        return f"**{persona.name}** is speaking…"
    if state.ended:
        how = outcome_title(state.outcome)
        return f"Call with {persona.name} ended: **{how}**. Rewind to try another line."
    if state.satisfied:
        return (
            f"**{persona.name}** is satisfied — confirm, offer further help and close the call "
            "(or press End call)."
        )
    return f"On a call with **{persona.name}** — turn {state.turn}. Type your line below."


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
    notice: gr.HTML | None = None
    confirm: gr.Row | None = None
    """Shown to ask before a new call abandons the one going on (``confirm_text`` asks)."""
    confirm_text: gr.Markdown | None = None
    chooser: gr.Accordion | None = None
    """The cards and the Start button: folded away once a call starts (the call fits a laptop)."""
    start_message: gr.HTML | None = None
    """Why a call did not start (no name yet), by the Start button."""

    @property
    def shown(self) -> list[Component]:
        """What :meth:`show` fills in, in the order the API returns them."""
        shown = [
            self.chat, self.mood, self.timer, self.status,
            self.scorecard, self.curve, self.rewind_to, self.download,
        ]  # fmt: skip
        return shown if self.notice is None else [*shown, self.notice]

    @property
    def starting(self) -> list[Component]:
        """What a start (or a resume) may change: the session, :attr:`shown`, the question,
        the cards' fold and the refusal."""
        extra = [self.confirm, self.confirm_text, self.chooser, self.start_message]
        return [self.session, *self.shown, *(c for c in extra if c is not None)]

    def show(
        self,
        session: PracticeSession | None,
        chat: list | None = None,
        *,
        notice: str = "",
        speaking: bool = False,
    ) -> Outputs:
        """Every shown output from the session (``chat`` overrides the chat while streaming;
        ``speaking``: the customer is answering now)."""
        extra = {} if self.notice is None else {self.notice: notice}
        if session is None:
            return {
                self.chat: [], self.mood: render.mood_meter(None),
                self.timer: render.call_timer(None), self.status: status_line(None),
                self.scorecard: "", self.curve: "",
                self.rewind_to: gr.update(choices=[], value=None), self.download: None, **extra,
            }  # fmt: skip
        state, persona, card = session.state, session.persona, session.scorecard
        curve = render.line_chart(list(state.mood_curve), y_max=10, title="Mood over the call")
        return {
            self.chat: chat if chat is not None else chatbot_messages(session.states),
            self.mood: render.mood_meter(state.mood, persona.band(state.mood)),
            self.timer: render.call_timer(session.started, session.ended_at),
            self.status: status_line(session, speaking=speaking),
            self.scorecard: render.scorecard_html(card, [t.speaker for t in state.transcript]),
            self.curve: curve if state.ended or card else "",
            self.rewind_to: gr.update(choices=rewind_choices(session), value=None),
            self.download: session.file,
            **extra,
        }

    def ask(self, question: str) -> Outputs:
        """Only the confirmation, shown with ``question``; the call and the rest unchanged."""
        if self.confirm is None or self.confirm_text is None:
            raise gr.Error(question)
        return {self.confirm: gr.update(visible=True), self.confirm_text: question}

    def update(
        self, session: PracticeSession | None, chat: list | None = None, **how: Any
    ) -> Outputs:
        """The session stored and every shown output (what start, end and each yield return);
        ``how``: :meth:`show`'s ``notice`` and ``speaking``."""
        return {self.session: session, **self.show(session, chat, **how)}

    def started(self, session: PracticeSession, *, notice: str = "") -> Outputs:
        """A new call's outputs: :meth:`update`, a confirmation asked earlier put away, the
        cards folded and a refusal shown earlier cleared."""
        hide: Outputs = {} if self.confirm is None else {self.confirm: gr.update(visible=False)}
        if self.chooser is not None:
            label = f"Your customer: {session.persona.name} (open to start another call)"
            hide[self.chooser] = gr.update(open=False, label=label)
        if self.start_message is not None:
            hide[self.start_message] = ""
        return {**self.update(session, notice=notice), **hide}

    def refuse(self, message: str) -> Outputs:
        """Only ``message``, by the Start button (no error on every output); the rest unchanged."""
        if self.start_message is None:
            raise gr.Error(message)
        return {self.start_message: render.notice(message, "warn")}
