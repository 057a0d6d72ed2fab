"""Repair and check questions: a read-back is confirmed, a request to repeat gets a repeat."""

from __future__ import annotations

import pytest

from trainer.simulation.checks import check_question, unanswered_question
from trainer.simulation.state import start_state
from trainer.simulation.voicing import phrasebook
from trainer.transcripts.transcript import Turn

SAID = ["I'm moving house next month, on the 14th.", "The bill was 186 pounds."]


@pytest.mark.parametrize(
    "text",
    [
        "Let me just read that back: you're moving on the 14th. Is that right?",
        "Sorry, sorry, could you say that again? You're moving house?",
        "Sorry, you said a hundred and eighty-six? Just checking I heard that right.",
        "So it's the 14th of next month?",
        "You're ringing about the bill, right?",
    ],
)
def test_a_read_back_as_a_yes_no_question_is_a_check(text):
    assert check_question(text, SAID) == "confirm"


@pytest.mark.parametrize(
    "text",
    [
        "You'll get a text. Can you confirm Friday, 8 to 10, works for you?",
        "Does Tuesday at 9 work for you?",
        "Would tomorrow morning be okay?",
        "Is the 14th okay for you?",
        "Shall I go ahead and book it?",
        "Are you happy with that?",
        "Will you be in on Friday?",
        "Does that work?",
    ],
)
def test_a_proposal_put_as_a_yes_no_question_asks_the_caller_to_agree(text):
    assert check_question(text, SAID) == "agree"


@pytest.mark.parametrize(
    "text",
    [
        "When does it work for you?",  # asks for a time, proposes none
        "Does the router work?",  # a question about the fix, not a proposal
        "Is the wifi good?",
        "Can you confirm your postcode?",
        "Is everything okay with the account?",
    ],
)
def test_questions_about_a_fix_or_a_detail_are_not_proposals(text):
    assert check_question(text, SAID) != "agree"


def test_a_long_proposal_question_is_read_in_bounded_time():
    text = "Does " + "monday 1 a, " * 4000 + "work for you?"
    assert check_question(text, SAID) in ("agree", None)


@pytest.mark.parametrize(
    "text",
    ["Sorry, could you say that again?", "Sorry?", "Could you run that by me again?", "Pardon?"],
)
def test_a_request_to_repeat_is_a_repeat(text):
    assert check_question(text, SAID) == "repeat"


@pytest.mark.parametrize(
    "text",
    [
        "When is the move?",  # a wh-question asks, it does not check
        "Is there anything else? Sorry again for the wait.",
        "Could I take your postcode?",
        "You're with us on the green tariff?",  # shares none of the caller's words
        "I'm sorry to hear that.",
    ],
)
def test_other_lines_are_not_checks(text):
    assert check_question(text, SAID) is None


def _with(state, *turns):
    return state.model_copy(update={"transcript": state.transcript + tuple(turns)})


def test_a_question_the_agent_passed_over_is_found(persona):
    state = start_state(persona, "c1")
    asked = Turn(speaker="customer", text="Brilliant. And do I need to do anything on moving day?")
    passed = _with(state, asked, Turn(speaker="agent", text="Is there anything else today?"))
    assert unanswered_question(passed) == "And do I need to do anything on moving day?"
    taken_up = _with(state, asked, Turn(speaker="agent", text="On moving day, take a reading."))
    assert unanswered_question(taken_up) == ""
    tag = Turn(speaker="customer", text="It's LS6 3HF. Got that?")
    assert unanswered_question(_with(state, tag, Turn(speaker="agent", text="Thanks."))) == ""


@pytest.mark.parametrize("voice", ["blunt", "polite", "anxious"])
@pytest.mark.parametrize("act", ["confirm", "agree", "repeat", "ask_again"])
def test_the_phrasebook_voices_every_new_act_in_every_band(voice, act):
    for band in ("calm", "annoyed", "angry"):
        lines = phrasebook()[voice][act][band]
        slots = {"facts": "", "need": "", "said": "x?", "agent_words": ""}
        assert lines and all(line.format(**slots) for line in lines)
        if act not in ("confirm", "agree"):
            assert all("{said}" in line for line in lines)
