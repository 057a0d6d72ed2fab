"""A read-back asks for the value it says: the caller confirms it or puts the agent right.

The phrasings are this file's own, on the shipped personas (their facts' values).
"""

from __future__ import annotations

import pytest

from trainer.paths import default_personas_dir
from trainer.personas.loading import load_personas
from trainer.personas.readback import read_back, read_back_whole, spoken_digits

PERSONAS = load_personas(default_personas_dir()).personas


def facts(persona: str) -> dict:
    return PERSONAS[persona].facts


@pytest.mark.parametrize(
    ("persona", "text", "found"),
    [
        ("angry-escalation", "LS6 3HF, have I got that right?", {"postcode"}),
        ("angry-escalation", "Was it NB-20417 or NB-20471?", {"account number"}),
        ("queue-waiter", "Card ending 4471, yes?", {"card number"}),
        ("queue-waiter", "Was the transfer 48,500 or did it go up with the charge?", {"payment"}),
        ("accent-complainer", "Double seven three zero, was that the middle?", {"policy number"}),
        ("accent-complainer", "Born the fourteenth of August, is that right?", {"date of birth"}),
        ("confused-repeat-caller", "Let me read it back. TQ1 2PL. Correct?", {"postcode"}),
        ("billing-dispute", "So the code's TRV-EU-3319, yeah?", {"add-on confirmation"}),
        ("warm-up", "You said Fernbank Road. Is that with one N?", {"new address"}),
        ("product-blamer", "Is that gavin.hollis at example dot com?", {"email address"}),
    ],
)
def test_a_value_said_back_as_a_question_is_read_back(persona, text, found):
    assert read_back(facts(persona), text) == found
    assert set(PERSONAS[persona].facts_asked(text)) >= found


@pytest.mark.parametrize(
    ("persona", "text"),
    [
        ("angry-escalation", "I've got NB-20417 open here. What happened on Tuesday?"),
        ("queue-waiter", "The 48,500 is showing as declined on my side."),
        ("abusive-curser", "So the laptop never turned up, did it?"),
        ("product-blamer", "Gavin, what does the app say when you open it?"),
        ("warm-up", "Is there anything else about the move I can help with?"),
    ],
)
def test_a_value_mentioned_or_a_plain_question_reads_nothing_back(persona, text):
    assert read_back(facts(persona), text) == set()


def test_a_whole_value_can_be_confirmed_a_part_or_a_guess_wants_the_value():
    postcode = "Just checking the postcode: LS6 3HF, is that right?"
    assert read_back_whole(facts("angry-escalation"), postcode) == {"postcode"}
    assert read_back_whole(facts("angry-escalation"), "Was that LS6, or LS9?") == set()


@pytest.mark.parametrize(
    ("said", "digits"),
    [
        ("seven-seven-three-zero", "7730"),
        ("nineteen sixty-one", "1961"),
        ("double four seven one", "4471"),
        ("oh one one three", "0113"),
        ("one of them", "one of them"),  # a lone number word is a word
    ],
)
def test_spoken_digits_are_written_as_digits(said, digits):
    assert spoken_digits(said) == digits
