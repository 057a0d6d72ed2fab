"""The planner on check questions and on "anything else?": confirm, repeat, no false relief."""

from __future__ import annotations

import pytest
from test_planner import AGENDA_YAML

from trainer.personas.loading import parse_persona
from trainer.simulation.beats import plan_turn
from trainer.simulation.state import apply_agent_turn, start_state
from trainer.transcripts.transcript import Turn


@pytest.fixture()
def caller():
    return parse_persona(AGENDA_YAML, "agenda-caller.yaml")


def _turn(persona, state, text, signals):
    """The agent's line, the caller's planned reply, and that reply said (acts recorded)."""
    state, _ = apply_agent_turn(persona, state, text, signals)
    plan = plan_turn(persona, state, signals)
    record = state.records[-1].model_copy(update={"acts": plan.acts})
    said = state.transcript + (Turn(speaker="customer", text=plan.fallback),)
    update = {"records": state.records[:-1] + (record,), "transcript": said}
    return state.model_copy(update=update), plan


def test_a_read_back_is_confirmed_then_the_open_need_pressed_not_thanked(caller):
    state = start_state(caller, "c1")
    state, _ = _turn(caller, state, "Hello, you're through to Sam.", {"greets"})
    text = "Sorry, just to check: the boiler's been broken since Sunday. Is that right?"
    state, plan = _turn(caller, state, text, {"apologises", "restates_issue"})
    assert plan.acts == ("confirm", "press")
    assert plan.fallback.startswith("Yes") and "Sympathy" not in plan.fallback
    assert plan.fallback.endswith("And when is the engineer coming?")


def test_a_request_to_repeat_gets_the_point_again_not_thanks(caller):
    state = start_state(caller, "c1")
    text = "Sorry, sorry, could you say that again?"
    state, plan = _turn(caller, state, text, {"apologises"})
    assert plan.acts == ("repeat",)
    assert "my boiler's been broken since Sunday" in plan.fallback  # the opening, said again
    assert "Sympathy" not in plan.fallback


def test_an_asked_detail_still_comes_before_a_check(caller):
    state = start_state(caller, "c1")
    text = "What's your postcode? You said since Sunday, is that right?"
    state, plan = _turn(caller, state, text, {"asks_verification"})
    assert plan.acts[0] == "answer" and "confirm" not in plan.acts


def _met_but_not_yet_satisfied(caller):
    """Both needs met by turn 3, but the caller waits for a 4th turn to be satisfied."""
    persona = parse_persona(AGENDA_YAML + "resolution: {min_turns: 4}\n", "agenda-caller.yaml")
    state = start_state(persona, "c1")
    for text, signals in [
        ("I'm so sorry, two days without heating is awful.", {"acknowledges_feelings"}),
        ("I've booked an engineer for Thursday, 8 to 12.", {"gives_clear_next_step"}),
        ("And we'll refund the heaters, just send the receipt.", {"offers_resolution"}),
    ]:
        state, _ = _turn(persona, state, text, signals)
    assert not state.satisfied and "satisfied" not in state.records[-1].acts
    return persona, state


def test_anything_else_alone_gets_no_relief_line(caller):
    persona, state = _met_but_not_yet_satisfied(caller)
    text = "Is there anything else I can help with today?"
    state, plan = _turn(persona, state, text, {"offers_further_help"})
    assert state.satisfied  # the needs were met: the call may close resolved
    assert plan.acts == ("no_more",) and "satisfied" not in plan.acts


def test_anything_else_after_a_question_passed_over_gets_the_question_again(caller):
    persona, state = _met_but_not_yet_satisfied(caller)
    question = "Do I need to be in all day for him?"
    state = state.model_copy(
        update={"transcript": state.transcript + (Turn(speaker="customer", text=question),)}
    )
    state, plan = _turn(persona, state, "Is there anything else today?", {"offers_further_help"})
    assert plan.acts == ("ask_again",) and plan.fallback.lower().endswith(question.lower())


def test_a_slot_put_to_a_satisfied_caller_is_agreed_to_not_wrapped_up(caller):
    persona, state = _met_but_not_yet_satisfied(caller)
    state, _ = _turn(persona, state, "Is there anything else I can help with?", set())
    assert state.satisfied
    text = "You'll get a text with the slot. Can you confirm Thursday, 8 to 12, works for you?"
    _, plan = _turn(persona, state, text, set())
    assert plan.acts == ("agree",)
    assert plan.fallback.startswith(("Yes", "Yeah", "Fine. Yes"))
    assert "everything" not in plan.fallback


def test_a_proposal_before_the_needs_are_met_is_agreed_to_then_the_need_pressed(caller):
    state = start_state(caller, "c1")
    state, _ = _turn(caller, state, "Hello, you're through to Sam.", {"greets"})
    state, _ = _turn(caller, state, "Let me look into the heating for you.", set())
    _, plan = _turn(caller, state, "Shall I go ahead and log it as urgent?", set())
    assert plan.acts[0] == "agree" and plan.fallback.startswith(("Yes", "Yeah", "Fine"))


def test_a_need_met_on_the_turn_still_brings_satisfaction(caller):
    persona, state = _met_but_not_yet_satisfied(caller)
    text = "And I'll email you the booking now, so you've got it in writing."
    _, plan = _turn(persona, state, text, {"gives_clear_next_step"})
    assert plan.acts == ("satisfied",)


def test_reading_the_problem_back_does_not_meet_a_need_for_a_date(caller):
    state = start_state(caller, "c1")
    said = Turn(speaker="customer", text="The last engineer was meant to come on Thursday.")
    state = state.model_copy(update={"transcript": state.transcript + (said,)})
    text = "I've got your notes here: nobody came on Thursday. That's on us."
    state, plan = _turn(caller, state, text, {"takes_ownership"})
    assert "engineer-date" not in state.addressed_needs and "accept" not in plan.acts
    text = "I've booked the engineer for Thursday morning."
    state, _ = _turn(caller, state, text, set())
    assert "engineer-date" in state.addressed_needs


def test_a_personas_own_confirm_and_repeat_lines_are_used():
    own = "responses:\n  confirm: ['Spot on, yes.']\n  repeat: ['Listen: {said}']\n"
    persona = parse_persona(AGENDA_YAML.replace("responses:\n", own, 1), "agenda-caller.yaml")
    state = start_state(persona, "c1")
    state, _ = _turn(persona, state, "Hello, you're through to Sam.", {"greets"})
    text = "Sorry, just to check: the boiler's been broken since Sunday. Is that right?"
    _, plan = _turn(persona, state, text, {"apologises", "restates_issue"})
    assert plan.acts[0] == "confirm" and plan.fallback.startswith("Spot on, yes.")
    _, plan = _turn(persona, state, "Sorry, could you say that again?", {"apologises"})
    assert plan.acts == ("repeat",) and plan.fallback.startswith("Listen: ")


def test_a_value_read_back_whole_is_confirmed_with_the_value_a_wrong_one_is_corrected(caller):
    state = start_state(caller, "c1")
    right, plan = _turn(caller, state, "Postcode BS1 4DJ, is that right?", set())
    assert plan.acts[0] == "confirm"
    assert plan.fallback.startswith("Yes, BS1 4DJ.")
    assert "postcode" in right.revealed_facts
    _, plan = _turn(caller, state, "Sorry, was that BS1 4DJ or BS1 4DG?", set())
    assert plan.acts[0] == "answer"  # a choice: the value itself, no "yes"
    assert "BS1 4DJ" in plan.fallback and not plan.fallback.startswith("Yes")
