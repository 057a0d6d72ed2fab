"""Which fact an agent turn asks for: by name, by kind, by description, several at once.

The phrasings are this file's own (not the held-out rows of ``data/fidelity/``), on the
shipped personas, whose facts have the names trainers write.
"""

from __future__ import annotations

import pytest

from trainer.details import kind_of
from trainer.paths import default_personas_dir
from trainer.personas.asking import asking_sentences, asks_for_name, name_pattern
from trainer.personas.asks import facts_asked
from trainer.personas.loading import load_personas

PERSONAS = load_personas(default_personas_dir()).personas


class _Fact:
    """A fact as the matcher sees it: a value and its own ``asked_by`` test."""

    def __init__(self, value: str, asked_by: str = "") -> None:
        self.value = value
        self.asked_by = asked_by

    def is_asked(self, text: str) -> bool:
        return bool(self.asked_by) and self.asked_by in text


def asked(persona: str, text: str) -> list[str]:
    return sorted(PERSONAS[persona].facts_asked(text))


@pytest.mark.parametrize(
    ("persona", "text", "facts"),
    [
        ("warm-up", "Could you give me the new address and the date you get the keys?",
         ["moving date", "new address"]),
        ("warm-up", "Where are you moving to, and when do you get the keys?",
         ["moving date", "new address"]),
        ("queue-waiter", "Kindly provide your registered cellphone number and the last 4 of "
         "your card po.", ["card number", "mobile number"]),
        ("abusive-curser", "What was in the box, and who sent it?",
         ["parcel contents", "retailer"]),
        ("abusive-curser", "Who did you order from and what was it?",
         ["parcel contents", "retailer"]),
        ("accent-complainer", "May I know your policy no. and DOB sir?",
         ["date of birth", "policy number"]),
        ("billing-dispute", "Which number's the account on, and what did you end up paying?",
         ["bill amount", "mobile number"]),
    ],
)  # fmt: skip
def test_two_details_in_one_sentence_are_both_asked(persona, text, facts):
    assert asked(persona, text) == facts


@pytest.mark.parametrize(
    "text",
    [
        "Could I get your account number? And the postcode.",
        "What's the account number? Postcode too.",
        "Can I take the account number, please? Also the postcode.",
    ],
)
def test_a_follow_on_sentence_carries_the_request(text):
    assert asked("angry-escalation", text) == ["account number", "postcode"]
    assert len(asking_sentences(text)) == 2


@pytest.mark.parametrize(
    ("persona", "text", "fact"),
    [
        ("angry-escalation", "Can you read me the long number at the top of your bill?",
         "account number"),
        ("angry-escalation", "What's the best number to reach you on?", "phone number"),
        ("accent-complainer", "Could you tell me the date you were born?", "date of birth"),
        ("accent-complainer", "Can I take the number on your policy schedule?", "policy number"),
        ("accent-complainer", "What's the code for your address?", "postcode"),
        ("confused-repeat-caller", "Who did you speak to yesterday?", "previous call"),
        ("queue-waiter", "What were you trying to pay for this morning?", "payment"),
        ("queue-waiter", "Who was the transfer going to?", "payment"),
        ("queue-waiter", "What's the number we sent the OTP to?", "mobile number"),
        ("abusive-curser", "Where did you order it from?", "retailer"),
        ("abusive-curser", "What were you expecting?", "parcel contents"),
        ("product-blamer", "Can you read me the code on the back of the router?", "serial number"),
        ("product-blamer", "Which router have you got?", "model"),
        ("billing-dispute", "When did you fly out and when did you get back?", "travel dates"),
        ("warm-up", "What date are you leaving the flat?", "moving date"),
        ("abusive-curser", "Where was it supposed to be delivered?", "postcode"),
        ("abusive-curser", "When did you place the order?", "retailer"),
        ("billing-dispute", "When were you in Barcelona?", "travel dates"),
        ("queue-waiter", "Can I take a callback number in case we get cut off?", "mobile number"),
        ("abusive-curser", "What kind of item was it?", "parcel contents"),
        ("queue-waiter", "What were you trying to pay when it was blocked?", "payment"),
        ("queue-waiter", "What's the number the account is registered to?", "mobile number"),
    ],
)  # fmt: skip
def test_a_detail_described_rather_than_named(persona, text, fact):
    assert asked(persona, text) == [fact]


def test_a_request_by_a_kind_the_persona_lacks_gets_the_one_it_stands_for():
    # a parcel caller has a tracking number, no order number; an insurance caller a policy
    assert asked("abusive-curser", "What's the order number?") == ["tracking number"]
    assert asked("accent-complainer", "Can I take your account number?") == ["policy number"]
    # ... but not where the persona has that kind itself
    assert asked("product-blamer", "What's the order number?") == ["order number"]


def test_a_day_naming_no_event_is_the_only_event_date():
    assert asked("warm-up", "When's the big day?") == ["moving date"]
    assert asked("warm-up", "Sorry, which day did you say?") == ["moving date"]
    assert asked("warm-up", "When did this start?") == []  # "when" alone is not a day asked
    two_dates = {"moving date": _Fact("the 14th"), "delivery date": _Fact("Friday")}
    assert facts_asked(two_dates, "When's the big day?") == []  # several dates: no guess
    assert facts_asked(two_dates, "Which day did it arrive?") == ["delivery date"]


@pytest.mark.parametrize(
    ("persona", "text", "fact"),
    [
        ("product-blamer", "Have you got the receipt? What's the number on it?", "order number"),
        ("product-blamer", "There's a sticker underneath. What does it say?", "serial number"),
        ("abusive-curser", "Have you got the dispatch email? Read me the number on it.",
         "tracking number"),
        ("confused-repeat-caller",
         "Have you got the letter there? There should be a number near the top.",
         "account number"),
    ],
)  # fmt: skip
def test_the_number_on_it_is_the_detail_written_where_the_turn_says(persona, text, fact):
    assert asked(persona, text) == [fact]


@pytest.mark.parametrize(
    ("persona", "text"),
    [
        ("angry-escalation", "The engineer will ring your mobile before he comes."),
        ("queue-waiter", "Your card has been blocked for your protection."),
        ("abusive-curser", "I'll email the claim form to the address on the order."),
        ("abusive-curser", "The courier says it was left in a safe place."),
        ("confused-repeat-caller", "I'm sorry you had to call again, Mrs Harrow."),
        ("billing-dispute", "Thanks for calling Vireo Mobile, how can I help?"),
        ("product-blamer", "I've found the serial number on the sticker, no need to look."),
        ("warm-up", "We'll send the welcome pack the day you move in."),
        ("queue-waiter", "When the card arrives, the courier will ring your mobile first."),
        ("abusive-curser", "Where it says delivered, that means the driver scanned it."),
    ],
)
def test_a_mention_is_still_not_a_request(persona, text):
    assert asked(persona, text) == []


def test_the_word_number_alone_is_not_a_reference_number():
    derek = PERSONAS["angry-escalation"]
    assert derek.facts_asked("Could I take your account number?") == ["account number"]
    assert derek.facts_asked("Can I take the reference?") == ["reference number"]
    import re

    assert not re.search(name_pattern("reference number"), "the number", re.IGNORECASE)


def test_kinds_come_from_fact_names():
    kinds = {n: kind_of(n).name for n in ("parcel contents", "claim reference", "moving date")}
    assert kinds == {
        "parcel contents": "contents",
        "claim reference": "claim",
        "moving date": "when",
    }
    assert kind_of("favourite colour") is None


def test_facts_without_a_kind_still_match_by_name_and_asked_by():
    facts = {"favourite colour": _Fact("blue", asked_by="colour")}
    assert facts_asked(facts, "What's your favourite colour?") == ["favourite colour"]
    assert facts_asked(facts, "Blue is a nice colour.") == []  # no request


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Can I take your name and postcode?", True),
        ("Who am I speaking to, please?", True),
        ("What name is the account under?", True),
        ("Hi, my name's Sam, how can I help?", False),
        ("Thanks, your name is on the account already.", False),
    ],
)
def test_asking_for_the_callers_name(text, asks):
    assert asks_for_name(text) is asks


def test_a_question_guessing_at_the_value_asks_for_it():
    assert asked("product-blamer", "Is it the three-pack you've got?") == ["model"]
    assert asked("abusive-curser", "Was it the laptop, the one you ordered?") == ["parcel contents"]
    # a telling word in a sentence that only tells is no guess
    assert asked("abusive-curser", "Laptops get stolen from doorsteps a lot, sadly.") == []


def test_no_more_details_than_were_asked():
    # "the address" is not the new address; "the main unit" is not the model
    assert asked("warm-up", "Can I take the postcode of your current address?") == ["postcode"]
    assert asked("warm-up", "What's the address of the new place?") == ["new address"]
    assert asked("product-blamer", "What's the serial number on the main unit?") == [
        "serial number"
    ]
