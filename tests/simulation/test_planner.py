"""The turn planner: acts chosen in code, voiced by the persona's own lines."""

from __future__ import annotations

import pytest

from trainer.llm.fake import FakeBackend
from trainer.personas.loading import parse_persona
from trainer.simulation.beats import plan_turn
from trainer.simulation.call import Simulator
from trainer.simulation.state import apply_agent_turn, start_state

AGENDA_YAML = """\
id: agenda-caller
name: Rob Hale
summary: Boiler broken two days; wants an engineer and money back for the heaters.
difficulty: hard
company: Brightwater Energy
style: Blunt.
background: Your boiler broke on Sunday. You bought two electric heaters.
facts:
  account number: BW-100200
  postcode: BS1 4DJ
goal: An engineer date and the heaters refunded.
opening: My boiler's been broken since Sunday.
mood: {start: 7, hang_up_at: 10, satisfied_at: 4, patience: 1}
reactions:
  acknowledges_feelings: -2
  gives_clear_next_step: -2
  offers_resolution: -1
  dismissive: 3
agenda:
  - id: engineer-date
    need: an engineer date
    addressed_by:
      signals: [gives_clear_next_step, offers_resolution]
      phrases: ['\\b(mon|tues|wednes|thurs|fri)day\\b|\\btomorrow\\b']
    press: ["And when is the engineer coming?"]
  - id: heaters
    need: the heaters refunded
    addressed_by: {phrases: ['\\b(refund|reimburse|pay you back|cover the cost)\\b']}
    press: ["And what about the heaters I had to buy?"]
responses:
  answer: {angry: ["{facts}. Write it down."], annoyed: ["It's {facts}."], calm: ["{facts}."]}
  react_empathy: ["Sympathy won't heat the house."]
  accept: ["Right. {need}. Finally."]
  push_back: ["Don't fob me off."]
  satisfied: ["Okay. That's what I needed. Thanks."]
lines:
  calm: ["Okay."]
  annoyed: ["Go on."]
  angry: ["Just fix it."]
persistence: {press_after: 1}
"""


@pytest.fixture()
def caller():
    return parse_persona(AGENDA_YAML, "agenda-caller.yaml")


def _turn(persona, state, text, signals):
    state, _ = apply_agent_turn(persona, state, text, signals)
    return state, plan_turn(persona, state, signals)


def test_the_answer_comes_first_then_the_reaction_in_the_same_reply(caller):
    state = start_state(caller, "c1")
    text = "I'm sorry, that sounds awful. Can I take your account number?"
    state, plan = _turn(caller, state, text, {"acknowledges_feelings", "asks_verification"})
    assert plan.acts[:2] == ("answer", "react_empathy")
    assert plan.fallback == "It's BW-100200. Sympathy won't heat the house."  # mood 5: annoyed


def test_a_need_met_is_accepted_and_an_open_one_pressed(caller):
    state = start_state(caller, "c1")
    state, _ = _turn(caller, state, "Hello, you're through to Sam.", {"greets"})
    text = "I can book an engineer for Thursday morning."
    state, plan = _turn(caller, state, text, {"gives_clear_next_step"})
    assert state.addressed_needs == ("engineer-date",)
    assert plan.acts == ("accept", "press")
    assert plan.fallback == (
        "Right. An engineer date. Finally. And what about the heaters I had to buy?"
    )


def test_an_offer_without_the_needed_detail_does_not_meet_the_need(caller):
    state = start_state(caller, "c1")
    state, _ = _turn(caller, state, "We'll get someone out to you.", {"gives_clear_next_step"})
    assert state.addressed_needs == ()


def test_satisfied_only_when_every_need_is_met_and_the_call_stays_open(caller):
    state = start_state(caller, "c1")
    lines = [
        ("I'm so sorry, two days without heating is awful.", {"acknowledges_feelings"}),
        ("I've booked an engineer for Thursday, 8 to 12.", {"gives_clear_next_step"}),
        ("And we'll refund the heaters, just send the receipt.", {"offers_resolution"}),
    ]
    for text, signals in lines:
        state, plan = _turn(caller, state, text, signals)
        state = state.model_copy(
            update={
                "records": state.records[:-1]
                + (state.records[-1].model_copy(update={"acts": plan.acts}),)
            }
        )
    assert state.satisfied and state.outcome == "ongoing"
    assert plan.acts[0] in ("satisfied", "accept") or "satisfied" in plan.acts
    state, _ = apply_agent_turn(caller, state, "Thanks for calling, goodbye.", {"closes"})
    assert state.outcome == "resolved"


def test_rudeness_is_pushed_back_on_and_a_hard_caller_holds_on(caller):
    state = start_state(caller, "c1")
    state, plan = _turn(caller, state, "That's not my department.", {"dismissive"})
    assert plan.acts == ("push_back",) and plan.fallback == "Don't fob me off."
    assert state.mood == 10 and not state.ended  # one bad line: no walk-out yet


def test_a_mentioned_detail_is_not_given(caller):
    state = start_state(caller, "c1")
    state, plan = _turn(caller, state, "I've got your postcode here already, thanks.", set())
    assert "BS1 4DJ" not in plan.fallback and "answer" not in plan.acts


def test_the_authored_strategy_never_calls_the_model(caller):
    from trainer.llm.fake import FakeBackend as Fake

    fake: FakeBackend = Fake(outputs=["I am an AI model."])

    class _NoSignals:
        def analyse_turn(self, text, speaker, turn=0, context=""):
            return []

    sim = Simulator(fake, _NoSignals(), strategy="authored")
    state = sim.start(caller, call_id="c1")
    stream = sim.reply(caller, state, "What's your account number?")
    pieces = list(stream)
    assert fake.calls == [] and pieces == [stream.text]
    assert "BW-100200" in stream.text and stream.finish().records[-1].acts[0] == "answer"


def test_name_and_postcode_are_both_answered(caller):
    state = start_state(caller, "c1")
    state, plan = _turn(caller, state, "Can I take your name and postcode, please?", set())
    assert plan.acts[0] == "answer"
    assert "Rob Hale" in plan.fallback and "BS1 4DJ" in plan.fallback
    state, plan = _turn(caller, state, "Hi, my name's Sam. How can I help?", set())
    assert "Rob Hale" not in plan.fallback and "answer" not in plan.acts
