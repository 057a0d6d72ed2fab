"""Concrete dated actions: what counts as committing to do something by a time."""

from __future__ import annotations

import pytest

from trainer.scoring.actions import is_dated_action, is_owned_action

ACTIONS = [
    "I've booked the assessor for Friday between 9 and 1.",
    "A replacement vehicle will be delivered to the service station by 3:30 pm.",
    "An email confirming the refund will be sent today.",
    "I'll call you tomorrow at 11 to check you're happy.",
    "I'm transferring you now to Karen, our team supervisor.",
    "I'll get someone out to you tomorrow between 8 and 12.",  # owned, with a time
    "The engineer will call you Monday between 9 and 12.",
]
NOT_ACTIONS = [
    "Call back tomorrow.",  # the caller is told to do it
    "I'm sure it'll be fine.",  # no time, no action
    "I'll make a note on your account.",  # no time
    "There's no supervisor available today, I can't book anything.",  # a refusal
    "Shall I book it for Friday?",  # a question, not a commitment
    "You'll just have to wait for the next slot.",
    "I have to go now, there's patients waiting.",  # an obligation, not an action
    "We've got to close at twelve today.",
    "Just phone back on Monday and ask for accounts.",  # the caller is sent to call back
    "Someone will call you Monday.",  # nobody in particular owns it
    "Somebody'll ring you tomorrow about it.",
]


@pytest.mark.parametrize("sentence", ACTIONS)
def test_dated_actions(sentence):
    assert is_dated_action(sentence)


@pytest.mark.parametrize("sentence", NOT_ACTIONS)
def test_not_dated_actions(sentence):
    assert not is_dated_action(sentence)


def test_owned_actions_are_first_person():
    assert is_owned_action("I've booked the assessor for Friday between 9 and 1.")
    assert not is_owned_action("A replacement vehicle will be delivered by 3:30 pm.")
