"""The pure planning step: persona, state, agent line and signals in, a frozen plan out.

No backend and no analyser: the signals are given, so every test here is exact.
"""

from __future__ import annotations

import dataclasses

import pytest

from trainer.simulation.prompt import chat_prompt, continuation_prompt
from trainer.simulation.state import start_state
from trainer.simulation.step import MAX_AGENT_CHARS, Step, normalise_agent_text, step
from trainer.transcripts.transcript import Turn

CALMING = {"acknowledges_feelings"}


def _start(persona, **update):
    return start_state(persona, "call-1", seed=3).model_copy(update=update)


def test_same_input_gives_the_same_plan(persona):
    state = _start(persona)
    a = step(persona, state, "I'm sorry, that sounds frustrating.", CALMING)
    b = step(persona, state, "I'm sorry, that sounds frustrating.", frozenset(CALMING))
    assert a == b
    assert isinstance(a, Step)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.lead = "changed"  # type: ignore[misc]
    assert state == _start(persona)  # the state given is left as it was


def test_the_agents_line_moves_the_state_and_leaves_the_reply_to_come(persona):
    state = _start(persona)
    plan = step(persona, state, "I'm sorry, that sounds frustrating.", CALMING)
    assert plan.state.turn == 1
    assert plan.state.mood == 4  # 6 - 2, and no patience drift on a calming turn
    assert plan.state.mood_curve == (6, 4)
    assert plan.state.transcript[-1] == Turn(speaker="agent", text=plan.agent_text)
    assert plan.record.signals == ("acknowledges_feelings",)
    assert plan.record.beat is None and plan.record.source == "scripted"
    assert plan.beat is None and not plan.ended
    assert plan.plan.acts == ("react_empathy",)  # the caller reacts to the sympathy
    assert plan.lead == ""  # no answer, no beat: the model starts the reply itself
    assert plan.prompt == continuation_prompt(persona, plan.state, plan.plan.directive)


def test_a_beat_fires_and_its_line_leads_the_continuation(persona):
    plan = step(persona, _start(persona), "Calm down, please.", {"says_calm_down"})
    assert plan.beat is not None and plan.beat.id == "calm-down"
    assert plan.state.fired_beats == ("calm-down",)
    assert plan.fallback == plan.lead == "Don't tell me to calm down."
    assert isinstance(plan.prompt, str)
    assert plan.prompt.endswith("Customer: Don't tell me to calm down.")
    assert plan.state.mood == 10 and not plan.ended  # one rude line: the caller holds on


def test_the_chat_strategy_plans_messages_and_no_lead(persona):
    plan = step(persona, _start(persona), "Calm down, please.", {"says_calm_down"}, "chat")
    assert plan.strategy == "chat" and plan.lead == ""
    assert plan.fallback == "Don't tell me to calm down."
    assert plan.prompt == tuple(chat_prompt(persona, plan.state, plan.plan.directive))
    assert plan.prompt[-1] == {"role": "user", "content": "Calm down, please."}


def test_an_end_call_beat_ends_the_call(persona):
    state = _start(persona, mood=9, fired_beats=("supervisor",), rude_turns=2)
    signals = {"blames_customer", "acknowledges_feelings", "takes_ownership"}  # 9 + 3 - 2 - 1
    plan = step(persona, state, "Sorry, but you broke it yourself.", signals)
    assert plan.state.mood == 9
    assert plan.beat is not None and plan.beat.id == "walks-out"
    assert plan.state.outcome == "hung_up" and plan.ended
    assert plan.state.fired_beats == ("supervisor", "walks-out")
    assert plan.fallback == "Right, I'm done. Goodbye."


def test_an_ending_signal_plays_an_ending_line(persona):
    plan = step(persona, _start(persona), "Transferring you now.", {"transfers_to_supervisor"})
    assert plan.state.outcome == "escalated" and plan.ended and plan.beat is None
    assert plan.fallback in ("Fine. Put them on.", "Finally. Go on then, transfer me.")


def test_asked_facts_are_given_and_only_they_reach_the_prompt(persona):
    plan = step(persona, _start(persona), "Can I have your account number?", set())
    assert plan.state.revealed_facts == ("account number",)
    assert plan.plan.acts == ("answer",) and "NB-55555" in plan.fallback
    assert plan.lead == plan.fallback and plan.prompt.endswith(plan.lead)
    assert "NB-55555" in plan.prompt and "LS6 3HF" not in plan.prompt
    assert plan.plan.directive == "Give the agent your account number: NB-55555."


def test_with_reply_records_the_callers_line(persona):
    plan = step(persona, _start(persona), "Calm down, please.", {"says_calm_down"})
    new = plan.with_reply("Don't tell me to calm down.", "fallback", ("speaks_as_agent",))
    assert new.transcript == plan.state.transcript + (
        Turn(speaker="customer", text="Don't tell me to calm down."),
    )
    record = new.records[-1]
    assert (record.beat, record.source, record.guard_rejections) == (
        "calm-down",
        "fallback",
        ("speaks_as_agent",),
    )
    assert new.records[:-1] == plan.state.records[:-1]
    assert plan.record.source == "scripted"  # the plan itself is unchanged


def test_agent_text_is_normalised_once(persona):
    assert normalise_agent_text("  spaced\n\nout   line ") == "spaced out line"
    assert normalise_agent_text("   ") == "…"
    long = normalise_agent_text("word " * 1000)
    assert long.endswith(" …") and len(long) <= MAX_AGENT_CHARS + 2
    assert normalise_agent_text("x" * 2500) == "x" * MAX_AGENT_CHARS + " …"


def test_a_transfer_that_needs_a_detail_gets_it_before_the_caller_accepts():
    from trainer.paths import default_personas_dir
    from trainer.personas.loading import load_personas

    derek = load_personas(default_personas_dir()).personas["angry-escalation"]
    text = "To put you through to a manager I'll need your account number first."
    plan = step(derek, _start(derek), text, {"transfers_to_supervisor"}, "authored")
    assert plan.beat is not None and plan.beat.id == "transferred"
    assert plan.ended and plan.state.outcome == "escalated"
    assert plan.plan.acts[0] == "answer"
    beat_line = next(line for line in plan.beat.say if line in plan.lead)
    assert plan.lead.index("NB-20417") < plan.lead.index(beat_line)  # the number, then the beat
