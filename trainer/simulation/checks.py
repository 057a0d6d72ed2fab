"""Repair and check questions: the agent asks the caller to repeat, or reads their words back.

"Sorry, could you say that again?" asks for a *repeat*; "You're moving on the 14th, is
that right?" or "You said a hundred and eighty-six?" *checks* the caller's own words as
a yes/no question; "Can you confirm Friday, 8 to 10, works for you?" or "Shall I go ahead
and book it?" asks the caller to *agree* to what the agent proposes. A caller answers
each before anything else: "Yes, that's right." (not "Thank you, that's kind" for the
"sorry" in front of it), "Yes, that's fine." (not "That's everything"). Read by the planner.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from trainer.simulation.state import CallState

Check = Literal["repeat", "confirm", "agree"]

_REPEAT = re.compile(
    r"\b(?:say|repeat) (?:that|it|this)\b|\brun (?:that|it) (?:by|past) me\b"
    r"|\bgo (?:over|through) (?:that|it) again\b|\bsay again\b|\bcome again\b|\bpardon\b"
    r"|\bdidn't (?:quite )?(?:catch|hear|get) (?:that|it|you|what|the)\b"
    r"|\bmissed (?:that|what you said)\b|^(?:sorry|sorry, what|what|huh)\?$",
    re.IGNORECASE,
)
_CHECK_TAIL = re.compile(
    r"\b(?:is that|was that|that's|is it|was it) (?:right|correct)\??$|\bright\?$|\bcorrect\?$"
    r"|\bhave I got that (?:right|correct)\b|\bdid I (?:hear|get) that right\b"
    r"|\bdid you (?:say|mean)\b|\byou said\b|\bjust (?:checking|to check|to confirm)\b",
    re.IGNORECASE,
)
# a statement turned into a question: "You're moving house?", "So it's the 14th?"
_STATEMENT_QUESTION = re.compile(
    r"^(?:(?:sorry|so|okay|ok|right|and),?\s+)*(?:you(?:'re| are|'ve| have| were| said)|it's|it is"
    r"|that's|that is|the \w+ is|this is)\b[^?]*\?$",
    re.IGNORECASE,
)
# a proposal put to the caller as a yes/no question: a slot, a plan, a go-ahead
_PROPOSAL = re.compile(
    r"\b(?:can|could) (?:you|u) (?:just )?confirm\b.{0,80}\b(?:works?|suits?|(?:is|are) (?:ok|okay"
    r"|alright|all right|fine|good|convenient))\b"
    r"|\b(?:work|suit) (?:for )?(?:you|u)\??$|\b(?:ok|okay|alright|all right|fine|good|convenient)"
    r" (?:for|with) (?:you|u)\?$"
    r"|\b(?:shall|should|can|may) I (?:go ahead|book (?:it|that|that in|you in)|lock (?:it|that) in"
    r"|put you down|confirm (?:it|that|the booking))\b"
    r"|\bare (?:you|u) (?:happy|ok|okay|alright|good) (?:with that|with (?:the|this|that) \w+"
    r"|for me to)\b|\bwill (?:you|u) be (?:in|home|around|available|free)\b",
    re.IGNORECASE,
)
# "Does Friday work?", "Would 9am be okay?": a slot (or "that") put to the caller
_SLOT_QUESTION = re.compile(
    r"\b(?:does|would|will|do|is) ((?:[\w,']+ ){0,7}?)(?:be )?(?:work|suit|ok|okay|alright"
    r"|all right|fine|good|convenient)(?: for (?:you|u)| (?:you|u)| with (?:you|u))?\?$",
    re.IGNORECASE,
)
_SLOT = re.compile(
    r"^(?:that|this|it|those) $|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day|\btomorrow\b|\bmorning"
    r"|\bafternoon|\bevening|\bslot|\btime\b|\bdate\b|\bappointment|\d",
    re.IGNORECASE,
)


def _proposes(question: str) -> bool:
    """Whether a yes/no question puts a slot, a plan or a go-ahead to the caller."""
    slot = _SLOT_QUESTION.search(question)
    return bool(_PROPOSAL.search(question) or (slot and _SLOT.search(slot.group(1))))


_WH = re.compile(r"^(?:\w+,?\s+){0,2}?(?:what|when|where|which|who|why|how)\b", re.IGNORECASE)
_ASIDE = frozenset({"anything", "else", "help", "today", "there", "wait", "much", "again"})
"""Words of "is there anything else I can help with today?" that answer no question."""
_WORD = re.compile(r"[a-z0-9']{3,}")
_FRAME = frozenset(
    {
        "you", "you're", "you've", "your", "the", "and", "that", "that's", "this", "was", "are",
        "it's", "right", "correct", "said", "say", "just", "checking", "check", "confirm",
        "sorry", "have", "got", "did", "hear", "heard", "get", "okay", "yes", "mean", "again",
        "for", "with", "from", "not", "but", "can", "could", "please", "thanks", "thank",
    }
)  # fmt: skip


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s.strip()]


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _FRAME}


def check_kind(state: CallState) -> Check | None:
    """:func:`check_question` for the agent's last line in ``state`` (after the caller's)."""
    agent = state.transcript[-1].text if state.transcript else ""
    return check_question(agent, [t.text for t in state.transcript if t.speaker == "customer"])


def caller_point(state: CallState) -> str:
    """``{said}``: the caller's question the agent passed over, else their last line's point
    (its first sentence), as said after "I said: ..."."""
    said = [t.text for t in state.transcript if t.speaker == "customer"]
    last = (_sentences(said[-1]) or [""])[0] if said else ""
    point = unanswered_question(state) or last
    return point[:1].lower() + point[1:] if point[:2] not in ("I ", "I'") else point


def check_question(agent_text: str, customer_said: Iterable[str]) -> Check | None:
    """``confirm`` when the agent's last question reads the caller's words back as a yes/no
    question, ``agree`` when it puts a proposal to the caller ("Does Friday work for
    you?", "Shall I book it?"), ``repeat`` when it asks the caller to say it again, else
    ``None``.

    A bare statement-question must share a word with what the caller said ("You're
    moving house?" after "I'm moving house"); a wh-question ("When is the move?") is not
    a check.
    """
    questions = [s for s in _sentences(agent_text) if s.endswith("?")]
    if not questions:
        return None
    last = questions[-1]
    heard = _words(" ".join(customer_said))
    # an explicit check frame ("you said ...?", "is that right?") reads back on its own;
    # a bare statement-question must echo the caller's words
    echoes = bool(_STATEMENT_QUESTION.search(last) and _words(last) & heard)
    if not _WH.search(last) and not _REPEAT.search(last) and _proposes(last):
        return "agree"
    if not _WH.search(last) and not _REPEAT.search(last) and (_CHECK_TAIL.search(last) or echoes):
        return "confirm"
    if any(_REPEAT.search(q) for q in questions):
        return "repeat"
    return None


def unanswered_question(state: CallState) -> str:
    """The question that ended the caller's last line, when the agent's reply (the last
    line of ``state``) took up none of its words ("And do I need to do anything on moving
    day?" -> "Is there anything else?"); else ``""``. Short tags ("Got that?") do not count.
    """
    turns = state.transcript
    if len(turns) < 2 or turns[-1].speaker != "agent" or turns[-2].speaker != "customer":
        return ""
    question = (_sentences(turns[-2].text) or [""])[-1]
    if not question.endswith("?") or len(question.split()) < 4:
        return ""
    if _words(question) & _words(turns[-1].text) - _ASIDE:
        return ""
    return question
