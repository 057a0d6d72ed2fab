"""Blind rating 4's "asks what the agent just answered" and "closes too early": a caller's
question the agent's turn answers is not asked, and a need is not met by a report of what
the agent sees or by a list of what is to come."""

from __future__ import annotations

import pytest

from trainer.personas.caller import AddressedBy
from trainer.personas.loading import parse_persona
from trainer.simulation.answered import answered
from trainer.simulation.beats import choose_beat
from trainer.simulation.state import apply_agent_turn, start_state
from trainer.simulation.voicing import pick


@pytest.mark.parametrize(
    ("line", "agent", "expected"),
    [
        ("How long will that take?", "It'll be back on within two hours.", True),
        ("Right. When will it be done?", "The engineer comes on Thursday morning.", True),
        ("Can you put that in writing?", "I'll email you a confirmation tonight.", True),
        ("How much is it, then?", "The refund is £42.10.", True),
        ("How long will that take?", "I'll look into it for you.", False),
        ("Can you put that in writing?", "I've noted it on the account.", False),
        ("I still need the credit.", "It'll be back on within two hours.", False),  # no question
        ("When? And who pays?", "It'll be done tomorrow.", False),  # one question left open
    ],
)
def test_a_question_the_agents_turn_answers(line, agent, expected):
    assert answered(line, agent) is expected


BEAT_CALLER = """\
id: refund-caller
name: Pat Lee
summary: Wants a refund.
difficulty: medium
company: Northwind
style: Short.
background: Overcharged.
facts: {account number: NB-1}
goal: A refund.
opening: I was overcharged.
mood: {start: 6, hang_up_at: 10, satisfied_at: 3}
reactions: {gives_clear_next_step: -2}
beats:
  - id: when-exactly
    when: {signal: gives_clear_next_step}
    say: ["Right. How long will that take?"]
lines:
  calm: ["OK."]
  annoyed: ["Fine."]
  angry: ["Just fix it."]
"""


def _after(persona, text, signals):
    state, _ = apply_agent_turn(persona, start_state(persona, "c1"), text, signals)
    return state


def test_a_beat_that_asks_what_was_just_answered_waits():
    persona = parse_persona(BEAT_CALLER, "refund-caller.yaml")
    signals = {"gives_clear_next_step"}
    answered_turn = _after(persona, "I'm refunding it today; it shows within 48 hours.", signals)
    assert choose_beat(persona, answered_turn, signals) is None
    open_turn = _after(persona, "I'm going to raise a refund request for you.", signals)
    assert choose_beat(persona, open_turn, signals).id == "when-exactly"


def test_a_line_asking_what_was_answered_is_not_picked_when_another_fits():
    persona = parse_persona(BEAT_CALLER, "refund-caller.yaml")
    state = _after(persona, "It'll show as a credit within 48 hours.", set())
    lines = ["How long will that take?", "Right. And the late fee?"]
    assert {pick(lines, state, f"s{i}") for i in range(20)} == {"Right. And the late fee?"}
    assert pick(["How long will that take?"], state, "s") == "How long will that take?"


def test_a_report_of_what_the_agent_sees_meets_no_need():
    need = AddressedBy(signals=["offers_resolution"], phrases=[r"\btoday\b|\bthis morning\b"])
    seen = "I can see the card was blocked this morning after a declined payment."
    assert not need.holds(set(), seen)
    assert need.holds(set(), "I can lift the block this morning, right now.")
    # the agent's screen, not a date for the caller: "Tuesday" names the last call's notes
    dated = AddressedBy(signals=["gives_clear_next_step"], phrases=[r"\b(tues|thurs)day\b"])
    assert not dated.holds(set(), "Okay, I've got Tuesday's notes up.")
    assert dated.holds(set(), "I've got an engineer booked for Thursday, 8 till 12.")


def test_a_list_of_what_is_to_come_meets_no_need():
    need = AddressedBy(signals=["gives_clear_next_step"], phrases=[r"\btoday\b"])
    assert not need.holds(
        set(), "I am going to fix two things for you today, the visit and the roof."
    )
    assert need.holds(set(), "I'll book the assessor for today, 3 pm.")


def test_a_yes_no_question_the_agent_said_yes_to():
    agent = "Yes, please get a roofer in now. Keep the bill and we will refund it."
    assert answered("Can I get a roofer in now and claim it back?", agent)
    assert not answered("Can I get a roofer in now?", "Please wait for the assessor.")
    assert not answered("Is the assessor coming this week?", agent)
