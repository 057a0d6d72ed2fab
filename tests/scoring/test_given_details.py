"""Asking again for a detail the caller gave, read by structure (no model)."""

from __future__ import annotations

import pytest

from trainer.scoring.given_details import asked_kinds, asks_again, given_kinds


@pytest.mark.parametrize(
    ("context", "sentence", "kind"),
    [
        (
            "My account number's 40017723 and I'm ringing about the bill.",
            "Okay, and what's the account number?",
            "account",
        ),
        (
            "order no is 5521-7788, item is missing",
            "Pls share ur order no. so I can look into it",
            "order",
        ),
        ("Like I said, the postcode's M14 5RT.", "Great, and the postcode is?", "postcode"),
        (
            "my email is priya.k@mailbox.com, never got the bill",
            "what email address do we have for u?",
            "email",
        ),
        ("It started on Tuesday night, about ten.", "And when did you first notice it?", "when"),
        (
            "The payment was £240 to Amazon on the 2nd.",
            "And how much was the payment for?",
            "amount",
        ),
        (
            "My name's Dana Price, account 8830 1127.",
            "Cool, can I get the name on the account?",
            "name",
        ),
        (
            "I'm on the Fixed Saver tariff and it's gone up.",
            "Which tariff are you on at the moment?",
            "plan",
        ),
        ("Hello, the return number is R-55120.", "Can you tell me the return number?", "named"),
        # the question word alone, once the caller said where
        ("The water's coming up outside, on the street.", "And where is it coming up?", "where"),
        (
            "I've just explained, the direct debit was taken twice this month.",
            "And what seems to be the problem today?",
            "what_happened",
        ),
    ],
)
def test_a_detail_asked_again_after_the_caller_gave_it(
    context: str, sentence: str, kind: str
) -> None:
    assert asks_again(sentence, context) == kind


@pytest.mark.parametrize(
    ("context", "sentence"),
    [
        # a first request: the caller named the thing but gave no value of it
        ("My order hasn't arrived and it's been two weeks.", "What's the order number, please?"),
        ("My tariff went up again.", "Which tariff are you on at the moment?"),
        # another detail than the one given
        ("My account number is 4456 7789.", "And the postcode on the account?"),
        # the little words before a value name nothing a later question could repeat
        ("Sure, and my member number is 7730-1182.", "Is everyone at home keeping warm?"),
        ("It was the second of June, 1988.", "Would a call back later on be of any use to you?"),
        # a read-back to confirm is not asking again
        ("It's LS6 3HF.", "That's LS6 3HF, yes?"),
        ("The IMEI's 356938035643809.", "So that's 356938035643809, and what's the postcode?"),
        # naming the detail without asking for it
        ("my email is priya.k@mailbox.com", "I've updated the email on your account."),
        ("my email is priya.k@mailbox.com", "Did you get our email about the refund?"),
        (
            "here is my card no 4921 5512",
            "please dont type ur full card number in chat, i dont need it",
        ),
        # a clarifying request, not the value again
        (
            "The guy's name was Kowalczyk or something.",
            "Sorry, could you spell that last name for me?",
        ),
        ("It's been slow since last week.", "Can u tell me more about when it gets slow?"),
        # a question word inside a request for a detail the caller did not give
        (
            "There's water coming up out of the footpath outside my house in Cronulla.",
            "What's the street address where the water is coming up?",
        ),
        # a problem described is not "given" unless the caller says they already told it
        ("My broadband keeps dropping every evening.", "What seems to be the problem with it?"),
        # words that only start like a month or a day are not a date given
        ("The dog ate maybe two boxes, I've just found them.", "And roughly how long ago?"),
        ("I sat on hold, it's a decent router, I was at the market.", "When did it start?"),
    ],
)
def test_not_asking_again(context: str, sentence: str) -> None:
    assert asks_again(sentence, context) is None


def test_a_read_back_anywhere_in_the_turn_confirms() -> None:
    turn = "The S23, great. Which model is the charger?"
    assert asks_again("Which model is the charger?", "It's the Samsung S23.") == "model"
    assert asks_again("Which model is the charger?", "It's the Samsung S23.", turn=turn) is None


def test_earlier_lines_count_for_identifying_details_only() -> None:
    earlier = ["My account number is 4456 7789 and I moved house on Monday."]
    context = "Anyway the bill is double what it should be."
    assert asks_again("Can I take your account number please?", context, earlier) == "account"
    # a date said turns ago may be another event's: only the line before counts for it
    assert asks_again("When did the engineer come out?", context, earlier) is None
    assert asks_again("When did the engineer come out?", earlier[0]) == "when"


def test_kinds_asked_and_given() -> None:
    assert asked_kinds("Could I take your postcode and date of birth?") == {"postcode", "birth"}
    assert asked_kinds("Your refund is on its way.") == set()
    assert given_kinds("I'm at 12 Elm Road, CR0 1AA, born 4th March 1962.") >= {
        "address",
        "postcode",
        "birth",
    }
    assert "order" not in given_kinds("My order never came.")


def test_no_caller_lines_means_nothing_was_given() -> None:
    assert asks_again("What's your account number?", "") is None
    assert asks_again("What's your account number?", "   ", ["", " "]) is None


def test_one_persons_name_is_not_anothers() -> None:
    # o10-05: the caller named their dad; the agent's first ask for the caller's own name
    dad = "It's about my dad's account, my dad, Frank Holloway. He's in hospital."
    assert asks_again("Can I take your name?", dad) is None
    assert asks_again("And who am I speaking to today?", dad) is None
    assert asks_again("And your dad's full name?", dad) == "name"
    # the caller gave their own name: asking it again is asking again
    own = "Hi, this is Anna Kowalska, I'm ringing about my bill."
    assert asks_again("Can I take your name?", own) == "name"
    assert asks_again("And your husband's name?", own) is None
