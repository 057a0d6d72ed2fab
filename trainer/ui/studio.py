"""The trainer's page: list, edit, validate, save and try out persona scripts.

Validation runs as you type and shows every problem with its line. Saving checks
the id (a slug, so no path can escape the personas folder), never overwrites
without the "overwrite" tick, and keeps the previous version in ``.backups/``
(the files themselves: ``trainer.ui.persona_files``).
"Try it" plays the persona in the editor — saved or not — in a side-by-side call.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from trainer.ui import render
from trainer.ui.context import AppContext
from trainer.ui.persona_files import duplicate, open_file, persona_files, save_persona, validate
from trainer.ui.practice import chatbot_messages

TEMPLATE = """\
id: new-persona
name: Sam Carter
summary: One line the trainee sees on the card.
difficulty: medium                # easy | medium | hard
company: Northwind Broadband
style: Short sentences. Impatient, but fair when listened to.
background: |
  You have had a problem for a while and this is your second call about it.
facts:                            # given only when the agent asks
  account number: NB-10001
  postcode: LS6 3HF
goal: A clear fix with a date.
opening: Hi. I'm calling again about my broadband, it keeps dropping.
mood: {start: 6, hang_up_at: 10, satisfied_at: 3}     # 0 calm .. 10 furious
reactions:                        # agent signal -> mood change
  acknowledges_feelings: -2
  gives_clear_next_step: -2
  blames_customer: 3
  says_calm_down: 3
beats:                            # scripted moments; first match wins
  - id: wants-supervisor
    when: {mood_at_least: 9}
    say: ["I want to speak to your supervisor."]
lines:                            # fallback lines by mood band
  calm: ["OK, that works."]
  annoyed: ["I've heard that before."]
  angry: ["This is a joke. Just fix it."]
agenda:                           # what the caller needs; satisfied when all are met
  - id: fix-date
    need: a date for the fix
    addressed_by:
      signals: [gives_clear_next_step, offers_resolution]
      phrases: ['\\b(mon|tues|wednes|thurs|fri|satur|sun)day\\b|\\btomorrow\\b']
    press: ["And when is it actually getting fixed?"]
responses:                        # the caller's own lines per act and mood band
  answer: {calm: ["Sure, it's {facts}."], annoyed: ["It's {facts}."], angry: ["{facts}. Again."]}
  react_empathy: ["Thanks. But I need it fixed."]
  push_back: ["There's no need for that."]
  confirm: ["Yes, that's right."]             # the agent reads a detail back as a question
  agree: ["Yes, Friday's fine."]               # "does Friday work for you?"
  repeat: ["I said: {said}"]                  # "sorry, could you say that again?"
  ask_again: ["You didn't answer me: {said}"]  # "anything else?" past the caller's question
  satisfied: ["Right. That's what I needed. Thanks."]
persistence: {rude_turns: 3, idle_turns: 4}
resolution: {min_turns: 2}
"""


def _user(ctx: AppContext, request: gr.Request | None) -> str | None:
    """The login name with logins on, else None (then the session hash is the only key)."""
    return ctx.trainee(None, request) if ctx.auth else None


def try_start(ctx: AppContext, text: str, request: gr.Request | None = None) -> tuple:
    """Start a test call with the persona in the editor (not saved, not recorded)."""
    persona, problems = validate(text, ctx.rubric())
    if persona is None:
        raise gr.Error(f"Fix the {len(problems)} problem(s) before trying the persona.")
    owner = _user(ctx, request)
    test = {"persona": persona, "states": [ctx.simulator.start(persona)], "owner": owner}
    state = test["states"][0]
    return test, chatbot_messages(test["states"]), render.mood_meter(state.mood)


def try_send(
    ctx: AppContext, test: dict | None, line: str, request: gr.Request | None = None
) -> Iterator[tuple]:
    """Stream the test caller's reply; yields (test, textbox, chat, mood). With logins on,
    only the user who started the test call may talk in it."""
    line = (line or "").strip()
    if not test:
        raise gr.Error("Start a test call first.")
    if ctx.auth and test.get("owner") != _user(ctx, request):
        raise gr.Error("This test call belongs to someone else: start one of your own.")
    state = test["states"][-1]
    meter = render.mood_meter(state.mood)
    if not line or state.ended:
        yield test, line, chatbot_messages(test["states"]), meter
        return
    history = chatbot_messages(test["states"]) + [{"role": "user", "content": line}]
    stream = ctx.simulator.reply(test["persona"], state, line)
    text = ""
    for piece in stream:
        text += piece
        yield test, "", [*history, {"role": "assistant", "content": text}], meter
    new = stream.finish()
    test = {**test, "states": [*test["states"], new]}
    chat = chatbot_messages(test["states"])
    if new.ended:
        chat.append({"role": "assistant", "content": f"(call ended: {new.outcome})"})
    yield test, "", chat, render.mood_meter(new.mood)


def build_studio_tab(demo: gr.Blocks, ctx: AppContext) -> None:
    """Lay out the persona studio inside the current ``gr.Tab`` and wire its events."""
    folder = ctx.personas_dir
    test = gr.State(None)
    with gr.Row():
        with gr.Column(scale=3):
            with gr.Row():
                files = gr.Dropdown(
                    label="Persona files", choices=persona_files(folder), scale=3, elem_id="files"
                )
                open_btn = gr.Button("Open", scale=1, elem_id="open-persona")
                new_btn = gr.Button("New from template", scale=1, elem_id="new-persona")
                dup_btn = gr.Button("Duplicate", scale=1, elem_id="duplicate-persona")
            editor = gr.Code(TEMPLATE, language="yaml", lines=24, elem_id="persona-editor")
            problems = gr.HTML(render.problems_html([]), elem_id="persona-problems")
            with gr.Row():
                overwrite = gr.Checkbox(label="Overwrite an existing file", elem_id="overwrite")
                save = gr.Button("Save", variant="primary", elem_id="save-persona")
            saved = gr.HTML(elem_id="save-message")
        with gr.Column(scale=2):
            gr.Markdown("### Try it\nA test call with the persona in the editor (not saved).")
            try_btn = gr.Button("Start test call", elem_id="try-start")
            try_chat = gr.Chatbot(
                label="Test call", height=320, buttons=["copy_all"], elem_id="try-chat"
            )
            try_line = gr.Textbox(placeholder="Your line, then Enter", show_label=False)
            try_mood = gr.HTML(render.mood_meter(None))

    def _list() -> Any:
        return gr.update(choices=persona_files(folder))

    def _problems(text: str) -> str:
        return render.problems_html(validate(text, ctx.rubric())[1], "persona-editor")

    def _save(text: str, force: bool, request: gr.Request) -> tuple[str, Any, bool]:
        if not ctx.is_trainer(request):
            message, kind = "Only trainers can save personas (try them out freely).", "error"
        else:
            message, kind = save_persona(folder, text, force, ctx.rubric())
        return render.notice(message, kind), _list(), False

    def _try_send(t: dict | None, line: str, request: gr.Request) -> Iterator[tuple]:
        yield from try_send(ctx, t, line, request)

    def _try_start(t: str, request: gr.Request) -> tuple:
        return try_start(ctx, t, request)

    demo.load(_list, None, files, api_visibility="private")
    open_btn.click(lambda n: open_file(folder, n), files, editor, api_name="open_persona")
    new_btn.click(lambda: TEMPLATE, None, editor, api_name="new_persona")
    dup_btn.click(
        lambda t, n: duplicate(t, folder, n), [editor, files], editor, api_name="duplicate_persona"
    )
    editor.change(
        _problems, editor, problems, trigger_mode="always_last", show_progress="hidden",
        api_name="validate_persona",
    )  # fmt: skip
    save.click(_save, [editor, overwrite], [saved, files, overwrite], api_name="save_persona")
    try_btn.click(_try_start, editor, [test, try_chat, try_mood], api_name="try_start")
    try_line.submit(
        _try_send,
        [test, try_line],
        [test, try_line, try_chat, try_mood],
        api_name="try_send",
        concurrency_id="model",
    )
