"""Concrete dated actions: a sentence where the agent commits to doing something by a time.

"I've booked the assessor for Friday between 9 and 1" or "a replacement car will be
delivered by 3:30 pm" is action, whatever the detectors made of it: it names what
happens and when. The scorer adds such sentences as the derived agent signal
``dated_action`` (method ``rule``), which criteria may require and which always
counts as action against ``empathy_without_action``; those the agent commits to
in the first person ("I've booked", "I'll email you today") are also
``owned_action``: taking ownership by doing.
"""

from __future__ import annotations

import re

DATED_ACTION = "dated_action"
"""The derived signal's name (an agent signal every rubric may reference)."""
OWNED_ACTION = "owned_action"
"""A dated action the agent commits to in the first person ("I've booked..."): ownership."""

_DAY = r"(mon|tues|wednes|thurs|fri|satur|sun)day"
_WHEN = re.compile(
    r"\b("
    rf"now|today|tonight|tomorrow|this (morning|afternoon|evening|week)|next week|{_DAY}"
    r"|right now|straight away|within (the|an|one|\d+) (hour|day|working day)s?"
    r"|in the next (hour|\d+ (minutes|hours|days))"
    r"|by \d{1,2}([:.]\d{2})?\s*(am|pm|o'?clock)?|at \d{1,2}([:.]\d{2})\s*(am|pm)?"
    r"|\d{1,2}([:.]\d{2})?\s*(am|pm)"
    r"|between \d{1,2}([:.]\d{2})? ?(am|pm)? and \d{1,2}|\d{1,2}\s*(-|to)\s*\d{1,2}"
    r"|on the \d{1,2}(st|nd|rd|th)|(first|next) (flight|post|delivery)"
    r")\b",
    re.IGNORECASE,
)
_COMMIT = re.compile(
    r"\b("
    r"i(?:'ve| have| will|'ll)(?! (?:got )?to\b)|we(?:'ve| have| will|'ll)(?! (?:got )?to\b)"
    r"|(?:it|this|that|they|he|she) will"
    r"|(?:is|are|has been|have been|was|will be) (booked|sent|arranged|scheduled|refunded"
    r"|credited|delivered|removed|moved|opened|dispatched|processed|on (its|the) way)"
    r"|booked|arranged|scheduled|refunding|sending|crediting|removed|switched|moved|opened"
    r"|set up|put you|i can book|you'll (get|receive)|you will (get|receive)"
    r"|i'm \w+ing|i am \w+ing"
    r"|will (visit|call|come|arrive|contact|send|deliver|ring|email|text|collect|fix|repair"
    r"|replace|refund|credit|reach)"
    r")\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\bI(?:'ve| have|'ll| will|'m| am)\b")
_NOT = re.compile(
    r"\b(can't|cannot|won't|no idea|not sure|don't know|(call|ring|phone) (us )?back"
    r"|(some|any)(one|body)(?:'ll| will| should| might| may))\b",
    re.I,
)
"""Not a commitment: a refusal, not knowing, sending the caller to call back, or an
action nobody in particular owns ("someone will call you Monday")."""


def is_dated_action(sentence: str) -> bool:
    """Does the sentence commit to an action with a time or date?"""
    if _NOT.search(sentence) or sentence.rstrip().endswith("?"):
        return False
    return bool(_WHEN.search(sentence) and _COMMIT.search(sentence))


def is_owned_action(sentence: str) -> bool:
    """A dated action the agent commits to personally ("I'll email you today")."""
    return is_dated_action(sentence) and bool(_FIRST_PERSON.search(sentence))
