"""What an agent turn plainly does, read by the simulator when the analyser misses it.

The caller judges its needs (``agenda``) by agent signals. Two of them, owning the
problem and restating it, are often said in ways the analyser's detectors miss
("I'm sending the fix from here", "You're ringing because the storm took the fence").
A caller hears them anyway, so the simulator adds them, for judging needs only (mood
and the scorecard still use the analyser's signals).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from trainer.patterns import compile_pattern

# the agent commits to act, in the first person, and not as a question
_OWNING = re.compile(
    r"\b(?:I(?:'ll| will|'m going to| am going to|'m| am|'ve| have)|let me)\s+"
    r"(?:\w+\s+){0,2}?"
    r"(?:book|sort|tak(?:e|ing) (?:this|it|that)|open|mov|send|arrang|put|fix|rais|remov"
    r"|ring|call you|credit|refund|escalat|chas|own|cancel|chang|reset|replac|waiv|switch)",
    re.IGNORECASE,
)
# a promise of something to come ("I'll email it", "you'll get a letter"); "I've got" is not
_PROMISE = re.compile(
    r"\b(?:I|we)(?:'ll| will|'ve| have|'m going to| am going to|'re going to| are going to)\b"
    r"(?!\s+(?:got|had|heard|seen|read)\b)|\byou'll (?:get|receive|have|see)\b",
    re.IGNORECASE,
)
_RESTATING = re.compile(
    r"^(?:so|right,? so|okay,? so|just to check)\b|you're (?:ringing|calling) (?:because|about)"
    r"|if I've understood|have I got that right|is that right\??$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z']{4,}")
_COMMON = frozenset(
    {
        "that", "this", "with", "have", "been", "your", "you're", "what", "about", "there",
        "they", "their", "just", "from", "would", "could", "should", "still", "then", "when",
        "will", "were", "said", "know", "right", "okay",
    }
)  # fmt: skip


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


def _content(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _COMMON}


def implied_signals(agent_text: str, customer_said: Iterable[str]) -> set[str]:
    """``takes_ownership`` / ``restates_issue`` when the turn plainly does them.

    Ownership: a first-person commitment to act ("I'm booking", "I've opened", "I'll
    move you") in a sentence that is not a question. Restating: a restating frame ("So
    ...", "You're ringing because ...", "Have I got that right?") in a turn that shares at
    least three content words with what the customer has said.
    """
    found: set[str] = set()
    sentences = _sentences(agent_text)
    if any(_OWNING.search(s) and not s.endswith("?") for s in sentences):
        found.add("takes_ownership")
    heard = _content(" ".join(customer_said))
    if any(_RESTATING.search(s) for s in sentences) and len(_content(agent_text) & heard) >= 3:
        found.add("restates_issue")
    return found


def own_words(agent_text: str, customer_said: Iterable[str], phrases: Iterable[str]) -> str:
    """The agent's turn without the sentences that only read the caller's words back.

    A sentence is dropped when every match of ``phrases`` (a need's ``addressed_by``
    patterns) in it is something the caller already said, and it commits to nothing
    ("Broadband dead since Monday, two visits missed" after "dead since Monday"): reading
    the problem back is not a technician date. "I've booked Monday" keeps its sentence.
    """
    heard = " ".join(customer_said).lower()
    kept = []
    for sentence in _sentences(agent_text):
        found = [f for p in phrases for f in _matches(p, sentence)]
        echo = found and all(f.strip().lower() in heard for f in found if f.strip())
        if not echo or _OWNING.search(sentence) or _PROMISE.search(sentence):
            kept.append(sentence)
    return " ".join(kept)


def _matches(pattern: str, text: str, most: int = 8) -> list[str]:
    """The texts ``pattern`` matches in ``text``, left to right (a few at most)."""
    found, rest = [], text
    for _ in range(most):
        match = compile_pattern(pattern).search(rest)
        if match is None or not match.group(0):
            break
        found.append(match.group(0))
        rest = rest[match.end() :]
    return found
