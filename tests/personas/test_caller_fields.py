"""The persona's agenda, responses and persistence: validation and what counts as asking."""

from __future__ import annotations

import pytest

from trainer.personas.asking import asking_sentences, name_pattern, spelled_prefix
from trainer.personas.loading import PersonaError, parse_persona


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Can I take your postcode?", True),
        ("Account number and postcode, please.", True),
        ("I've got your postcode here already, thanks.", False),
        ("We'll text that mobile number when the engineer is on his way.", False),
        ("Your reference number for today is CX-1.", False),
        ("No need for your date of birth, I've verified you.", False),
        ("Kindly provide your postcode po.", True),
        ("Let's start with your account number.", True),
        ("If I could just grab your postcode.", True),
        ("ok where did u order it from", True),
        ("When it comes, we'll text your mobile.", False),
        ("I'll be needing your registered mobile number, ma'am.", True),
        ("For verification, your date of birth and postcode.", True),
        ("We'll be taking the payment on Friday.", False),
    ],
)
def test_what_counts_as_asking(text, asks):
    assert bool(asking_sentences(text)) is asks


def test_a_verification_turn_asks_without_a_request_word():
    text = "Account number and postcode are what we go by here."
    assert asking_sentences(text) == [] and asking_sentences(text, verifying=True) == [text]


def test_a_list_of_details_before_what_the_agent_will_do_asks():
    text = "Account number and postcode, and I'll get straight on it."
    assert asking_sentences(text) == [text]
    told = "Your case number is LH-55120, and I'll put it in the email too."
    assert asking_sentences(told) == []


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("account number", "can u give me ur acct no. pls"),
        ("account number", "your account ID, please"),
        ("order number", "the order no & email"),
        ("date of birth", "and your DOB?"),
        ("new address", "whats ur new addy"),
    ],
)
def test_a_facts_name_as_agents_say_it(name, said):
    import re

    assert re.search(name_pattern(name), said, re.IGNORECASE)


def test_a_spelled_out_start_of_a_value():
    assert spelled_prefix("the number on your bill that starts N-B") == "NB"
    assert spelled_prefix("nothing spelled here") == ""


BASE = """\
id: small-caller
name: Ann Lee
summary: Bill too high.
difficulty: easy
company: Brightwater Energy
style: Polite.
background: Your bill doubled.
facts:
  account number: BW-1
goal: The bill corrected.
opening: My bill has doubled.
mood: {start: 4}
lines: {calm: [Okay.], annoyed: [Hmm.], angry: [No.]}
"""


def test_new_fields_are_optional_and_default_sensibly():
    persona = parse_persona(BASE, "small-caller.yaml")
    assert persona.agenda == [] and persona.responses == {}
    assert persona.phrasebook_voice() == "polite" and persona.max_calming() == 4
    assert persona.persistence.rude_turns == 3


def test_bad_agenda_and_responses_are_reported_with_their_lines():
    text = BASE + (
        "agenda:\n"
        "  - id: fix-bill\n"
        "    need: the bill corrected\n"
        "    addressed_by: {signals: [offers_refund]}\n"
        "responses:\n"
        "  answer: ['It is {fact}.']\n"
        "  shrugs: ['Meh.']\n"
    )
    with pytest.raises(PersonaError) as err:
        parse_persona(text, "small-caller.yaml")
    problems = [str(p) for p in err.value.problems]
    assert any(":17: agenda[0].addressed_by.signals[0]: unknown signal" in p for p in problems)
    assert any(":19: responses.answer" in p and "unknown placeholder {fact}" in p for p in problems)
    assert any(":20: responses" in p and "shrugs" in p for p in problems), problems


@pytest.mark.parametrize(
    "text",
    [
        "Let me just read that back: you're moving to the new house on the 14th.",
        "To confirm it's done: you'll get a text on your mobile in a couple of minutes.",
        "That was a big payment, which is why the system stopped it.",
    ],
)
def test_reading_back_and_telling_are_not_asking(text):
    assert asking_sentences(text) == []


def test_asking_to_confirm_still_asks():
    assert asking_sentences("And your date of birth, just to confirm it's you?")


def test_check_and_repair_acts_can_be_authored_with_the_said_slot():
    text = BASE + (
        "responses:\n"
        "  confirm: ['Spot on, yes.']\n"
        "  repeat: {calm: ['I said {said}'], angry: ['For the last time: {said}']}\n"
        "  ask_again: ['You skipped my question: {said}']\n"
    )
    persona = parse_persona(text, "small-caller.yaml")
    assert persona.responses["confirm"].annoyed == ["Spot on, yes."]
    assert persona.responses["repeat"].angry == ["For the last time: {said}"]


def test_misspelt_check_acts_and_slots_are_reported_with_their_lines():
    text = BASE + "responses:\n  confrim: ['Yes.']\n  ask_again: ['Well? {sayd}']\n"
    with pytest.raises(PersonaError) as err:
        parse_persona(text, "small-caller.yaml")
    problems = [str(p) for p in err.value.problems]
    assert any(":15: responses" in p and "Did you mean: confirm?" in p for p in problems), problems
    assert any(":16: responses.ask_again" in p and "{said}" in p for p in problems), problems
