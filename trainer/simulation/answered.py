"""A caller's question the agent's turn has just answered.

"How long will that take?" after "It'll show as a credit within 48 hours", or "Will you
write that down in a letter for me?" after "I'll post you a letter explaining it", reads
as not listening (blind rating 4: "asks what the agent just answered"). A caller's line
asks *when* (a time or a delay), *in writing* (a letter, an e-mail, a text) or *how much*;
the agent's turn answers it when it gives a time, commits to sending something written,
or names an amount; a yes/no question is answered by a "yes" about the same thing. Lines
that only state something never count as answered.
"""

from __future__ import annotations

import re

from trainer.details.shapes import AMOUNT, DATE
from trainer.simulation.state import CallState

_FLAGS = re.IGNORECASE
_QUESTIONS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (  # when / how long -> a time, a day or a delay
        re.compile(r"\b(when|how long|how soon|what time|what day|by when)\b", _FLAGS),
        re.compile(
            rf"{DATE}|\bwithin\b.{{0,20}}\b(minutes?|hours?|days?|weeks?)\b"
            r"|\bin (a|an|one|two|three|four|five|\d+|a few|a couple of) (minutes?|hours?|days?"
            r"|weeks?)\b|\b(tomorrow|right now|straight away|immediately)\b",
            _FLAGS,
        ),
    ),
    (  # in writing -> the agent sends something written
        re.compile(r"\b(letter|in writing|write (that|it|this) down|e-?mail|text)\b", _FLAGS),
        re.compile(
            r"\b(i|we)('ll| will|'m going to| am going to|'ve| have)( just)? (post|send|e-?mail"
            r"|text|write|put)\w*\b.*\b(letter|e-?mail|text|in writing|confirmation)\b",
            _FLAGS,
        ),
    ),
    (re.compile(r"\bhow much\b", _FLAGS), re.compile(AMOUNT, _FLAGS)),  # how much -> an amount
)
_QUESTION = re.compile(r"[^.!?]*\?")
_YES_NO = re.compile(
    r"^\W*((and|so|but|okay|ok|right|well)\W+)*(can|could|will|would|is|are|do|does|did|shall"
    r"|am)\b",
    _FLAGS,
)
_YES = re.compile(
    r"(^|[.!?]\s+)(yes|yeah|yep|absolutely|of course|certainly|definitely|you can|it is|it's"
    r" (done|working|sorted|fixed))\b",
    _FLAGS,
)
_PLAIN = frozenset(
    {"about", "actually", "again", "going", "really", "right", "still", "there", "their",
     "thing", "today", "would", "could", "should", "please", "that's", "what's"}
)  # fmt: skip


def _said_yes(question: str, agent_text: str) -> bool:
    """A yes/no question the agent said yes to about the same thing ("Can I get a roofer in
    now?" after "Yes, please get a roofer now")."""
    if not (_YES_NO.search(question) and _YES.search(agent_text)):
        return False
    words = {w for w in re.findall(r"[a-z']{5,}", question.lower())} - _PLAIN
    return bool(words & set(re.findall(r"[a-z']{5,}", agent_text.lower())))


def answered(line: str, agent_text: str) -> bool:
    """Whether every question in a caller's ``line`` is one ``agent_text`` just answered
    (False for a line that asks nothing)."""
    questions = _QUESTION.findall(line)
    if not questions or not agent_text:
        return False
    return all(
        _said_yes(q, agent_text)
        or any(asks.search(q) and gives.search(agent_text) for asks, gives in _QUESTIONS)
        for q in questions
    )


def last_agent_text(state: CallState) -> str:
    """The agent's last turn in the call ("" before the agent has spoken)."""
    return next((t.text for t in reversed(state.transcript) if t.speaker == "agent"), "")
