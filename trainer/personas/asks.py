"""Which of a persona's facts an agent turn asks for.

Only sentences that ask count (``asking.asking_sentences``: "can I take...", "what's...",
a question, and a follow-on such as "And the postcode."), so a detail the agent merely
mentions is not blurted out. In those sentences a fact is asked for by

1. its ``asked_by`` patterns or its name as agents say it ("acct no", "DOB");
2. its kind (``trainer.details``): another name ("customer ID", "zip"), a description ("the
   long number at the top of your bill", "the date you were born"), or the name of a kind
   it stands in for when the persona has none ("order number" to a parcel caller); a
   qualified fact ("new address") only with its qualifier ("the address of the new house");
3. for a date of an event ("moving date"), a request for a day with the event's words
   ("when do you get the keys?"), or a request for a day naming no event when the persona
   has only that one ("when's the big day?");
4. the start of its value spelled out ("it starts B-W");
5. for "read me the number on it", the kind whose place ("the receipt", "the sticker")
   the turn names;
6. a question that guesses at the value by one of its telling words ("Is it the Mesh Pro
   you've got?", "Was it the laptop?"), or reads the value back ("M14 5RT, is that right?",
   "Ending 4471, yes?": ``trainer.personas.readback``);
7. when the sentences that ask name nothing ("Have you got the letter handy?"), the same
   in the turn's other sentences that do not only mention a detail ("There's a number
   near the top.").

A verification request that names no fact gets the first fact (the caller's reference).
Several details in one turn are all found, each sentence read on its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Protocol

from trainer.details import (
    DATE_REQUEST,
    GENERIC_REQUEST,
    KINDS,
    compiled,
    event_pattern,
    kind_of,
)
from trainer.details import DetailKind as Kind
from trainer.personas.asking import (
    asking_sentences,
    compounds,
    context_sentences,
    name_pattern,
    named_prefixes,
    normalise,
    spelled_prefix,
    spelled_sentences,
)
from trainer.personas.listing import listed_words
from trainer.personas.readback import read_back

_DAY_ONLY = re.compile(
    r"\b(what|which) (date|day)\b|\bthe date\b|\bbig day\b|\bwhat's the date\b", re.IGNORECASE
)
_OTHER_DAY = re.compile(r"\bborn\b|\bbirth|\bd\.?o\.?b\b|\b(call|rang|ring|phoned|spoke)\b", re.I)
_BY_ID = {k.name: k for k in KINDS}
_GUESS = re.compile(
    r"^\W*(\w+\W+){0,2}(is|was|are|were) (it|that|this|they)\b.*\?|"
    r"^\W*(\w+\W+){0,2}(did you|have you got|do you have|you've got)\b.*\?",
    re.IGNORECASE,
)
_PLAIN = frozenset(
    {"about", "after", "again", "before", "called", "could", "every", "first", "month",
     "number", "other", "people", "pounds", "since", "someone", "their", "there", "these",
     "thing", "those", "today", "usually", "which", "would", "yesterday", "that's", "it's",
     "ordered", "online", "bought", "delivered", "morning", "afternoon", "evening", "weeks"}
)  # fmt: skip
_WHERE_WRITTEN = re.compile(
    r"(?<!number )(?<!code )(?<!digits )(?<!reference )(?<!ref )"
    r"\b(on|in|from|off|under|at the top of) (your|the|that|an?) ([\w-]+ ){0,2}"
    r"(e-?mail|text|message|letter|bill|statement|receipt)\b",
    re.IGNORECASE,
)
"""Where a detail is written, which names another kind of detail without asking for it;
not "the number on the letter", which describes the detail asked for."""
_CLAUSE = re.compile(r",? and (?=what|which|where|when|the|your|ur|that)|, (?=what|which)", re.I)
"""Where an asking sentence goes on to ask for another detail."""
_QUALIFIERS = {  # a qualifier of a fact's name and how a sentence may say it
    "new": r"new|moving (to|into|in)|you('re| are) moving|you'll be moving|address there"
    r"|where (are )?you('re)? (off to|going|headed|heading)",
    "current": "current|now|at the moment",
    "old": "old|previous|moving (from|out)",
    **{w: w for w in ("home", "work", "billing", "second")},
}


class AskableFact(Protocol):
    """What the matcher needs of a fact: its value and its own ``asked_by`` test."""

    value: str

    def is_asked(self, text: str) -> bool: ...


def facts_asked(facts: Mapping[str, AskableFact], text: str, verifying: bool = False) -> list[str]:
    """Names of the facts an agent turn asks for, in the persona's order (module docstring).

    ``verifying``: the analyser read the turn as a verification request, so every sentence
    counts as asking, and a turn that names no fact gets the first one.
    """
    text = compounds(normalise(text))
    asking = asking_sentences(text, verifying)
    if not asking:  # "Just so I've got it: away the 12th to the 15th, bill's 186.40?"
        checked = read_back(facts, text) if "?" in text else set()  # not "..., as you said."
        return [name for name in facts if name in checked]
    kinds = {name: kind_of(name) for name in facts}
    held = {k.name for k in kinds.values() if k is not None}
    events = [n for n, k in kinds.items() if k is not None and k.name == "when"]
    found: set[str] = set()
    for sentence in asking:
        here = {n for n, f in facts.items() if _asks(n, f, kinds[n], held, sentence)}
        listed = listed_words(sentence)  # "Account and postcode, and I'll ...": "account"
        here |= {n for n in facts if _head_word(n) in listed}
        if len(events) == 1 and _DAY_ONLY.search(sentence) and not _OTHER_DAY.search(sentence):
            here.add(events[0])
        if _GUESS.search(sentence):  # "Is it the three-pack you've got?"
            here |= {n for n, f in facts.items() if _guessed(f.value, sentence)}
        for clause in _CLAUSE.split(sentence):  # "What was in it, and what's the number?"
            if GENERIC_REQUEST.search(clause) and not any(
                _asks(n, f, kinds[n], held, clause) for n, f in facts.items()
            ):
                here.update(_placed(kinds, clause) or ([] if here else _placed(kinds, text)))
        found |= here
    if not found:  # "Have you got the letter? There should be a number near the top."
        for sentence in context_sentences(text):
            found |= {n for n, f in facts.items() if _asks(n, f, kinds[n], held, sentence)}
            if GENERIC_REQUEST.search(sentence):
                found.update(_placed(kinds, text))
    found |= read_back(facts, text)  # "M14 5RT, is that right?"
    spelled = [spelled_prefix(s) for s in spelled_sentences(text)]
    spelled += [p for s in asking for p in named_prefixes(s)]
    for name, fact in facts.items():
        core = re.sub(r"[^A-Za-z0-9]", "", fact.value).upper()
        if any(len(p) >= 2 and core.startswith(p) for p in spelled):
            found.add(name)
    if not found and verifying and facts:
        found.add(next(iter(facts)))
    return [name for name in facts if name in found]


def _asks(name: str, fact: AskableFact, kind: Kind | None, held: set[str], sentence: str) -> bool:
    """Whether one asking sentence asks for this fact (rules 1-3 of the module docstring)."""
    bare = _WHERE_WRITTEN.sub(" ", sentence)  # "the order number, it's on your receipt email"
    if fact.is_asked(bare) or compiled(name_pattern(name)).search(sentence):
        return True
    if kind is None or _unqualified(name, sentence):
        return False
    patterns = [*kind.names, *kind.describes]
    for other in (_BY_ID[k] for k in kind.serves if k not in held):
        patterns += [*other.names, *other.describes]
    if any(compiled(p).search(bare) for p in patterns):
        return True
    if kind.name == "when" and DATE_REQUEST.search(sentence):
        event = event_pattern(name)
        return bool(event and event.search(sentence))
    return False


def _head_word(name: str) -> str:
    """The word a fact is called by in a list of details ("account" of "account number")."""
    words = [w for w in re.findall(r"[a-z]+", name.lower()) if w not in _QUALIFIERS]
    return words[0] if words else ""


def _guessed(value: str, sentence: str) -> bool:
    """Whether a question guesses at a value by one of its telling words ("Mesh Pro")."""
    words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]{4,}", value)} - _PLAIN
    said = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]{4,}", sentence)}
    return bool(words & said)


def _unqualified(name: str, sentence: str) -> bool:
    """A "new address" is not asked for by "the address" alone: the kind's words count for
    a qualified fact only with its qualifier ("the address of the new house")."""
    wanted = set(re.findall(r"[a-z]+", name.lower())) & set(_QUALIFIERS)
    said = (re.search(rf"\b({_QUALIFIERS[w]})\b", sentence, re.I) for w in wanted)
    return bool(wanted) and not any(said)


def _placed(kinds: Mapping[str, Kind | None], text: str) -> list[str]:
    """ "The number on it": the first fact whose kind's place the turn names."""
    for name, kind in kinds.items():
        if kind is not None and any(compiled(p).search(text) for p in kind.near):
            return [name]
    return []
