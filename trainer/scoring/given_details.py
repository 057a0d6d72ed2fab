"""Asking again for a detail the caller already gave (``asks_already_given_info``), by structure.

The agent's sentence is read for *which* detail it requests (account / policy / order /
tracking / claim / reference number, postcode, date of birth, name, phone, email,
amount, date or time, how many, what happened, ...), and the customer's earlier lines
for whether they already *gave a value* of that kind (digits and ids, a postcode's
shape, an e-mail address, a date, a name after "my name is"). A request naming a
detail the caller only mentioned ("my order hasn't come") is a first request; a
read-back that repeats the caller's value ("that's LS6 3HF, yes?") confirms, it does
not ask again. Plain regular expressions over one sentence and a few customer lines:
microseconds per turn, no model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from trainer.details import DETAIL_KINDS, HAS_ID, ID

__all__ = ["DETAIL_KINDS", "OWN_NAME", "asked_kinds", "asks_again", "given_kinds"]

_FLAGS = re.IGNORECASE

_REQUEST = re.compile(
    r"\?|\b(can|could|may|would|might|will) (i|you|u|we) (please |pls |just |kindly |quickly )?"
    r"(have|get|take|grab|confirm|give|tell|share|send|provide|read|repeat|spell|verify|check"
    r"|say|know|go over|walk)\b"
    r"|\b(i|we)('ll| will|'d| would)? (just )?need\b|\b(pls|please|kindly|plz)\b"
    r"|^\W*(and |so |ok(ay)?,? |right,? |great,? |thanks,? |now,? )*"
    r"(tell|give|send|share|confirm|read|repeat|spell|provide|remind|let me (have|get|take))\b"
    r"|\bremind me\b|\bwhat (was|is|were)\b.*\bagain\b",
    _FLAGS,
)
"""The sentence asks for something (a question, a "can I take...", a "please share...")."""
_NOT_A_REQUEST = re.compile(
    r"^\W*(did|have|has|do|does|is|are|was|were) (you|u|it|they|we|he|she)\b(?!.*\b(give|tell"
    r"|send|share|read|got|handy|for me|to hand)\b)"
    r"|\b(i('ve| have)|we('ve| have)) (got (your|the|that|those)|updated|noted|found|sent|changed"
    r"|added)\b"
    r"|\bspell\b|\b(don'?t|do not|no need to|never) (type|send|share|give|need)\b",
    _FLAGS,
)
"""A yes/no question about the call ("did you get our email?") or a report of what the agent
did ("I've updated the email"): naming a detail without asking for it."""
_WH_START = re.compile(
    r"^\W*((and|so|ok(ay)?|right|great|thanks|sorry|now|alright)\W+)*(when|where|what|which|how)\b",
    _FLAGS,
)
_VALUE = re.compile(
    rf"{ID}|\S+@\S+\.\w+|\b[a-z]{{1,2}}\d[a-z\d]? ?\d[a-z]{{2}}\b|[£$€₹]\s?\d[\d,.]*",
    _FLAGS,
)


_TRIED_ASKED = re.compile(
    r"\b(have|did) (you|u) (tried |try )?(restart|reboot|reset|unplugg?|turn(ing|ed)? (it )?off"
    r"|switch(ing|ed)? (it )?off)",
    _FLAGS,
)
_TRIED_GIVEN = re.compile(
    r"\b(already|i'?ve|i have|i) (\w+ ){0,2}(restarted|rebooted|reset|unplugged|turned it off"
    r"|switched it off)\b",
    _FLAGS,
)
""""Have you tried restarting it?" after "I've already restarted it three times"."""


def asked_kinds(sentence: str) -> set[str]:
    """The kinds of detail an agent's sentence asks for (empty when it asks for none)."""
    if _TRIED_ASKED.search(sentence):
        return {"tried"}
    if not _REQUEST.search(sentence) or _NOT_A_REQUEST.search(sentence):
        return set()
    question = "?" in sentence or bool(_WH_START.match(sentence))
    return {
        kind.name
        for kind in DETAIL_KINDS
        if kind.asked.search(sentence) and (question or not kind.question)
    }


def given_kinds(line: str) -> set[str]:
    """The kinds of detail a customer's line gives a value of."""
    return set(_given(line))


def _given(line: str) -> dict[str, str]:
    """Kind -> the value the line gives of it (the matched words)."""
    has_id = bool(HAS_ID.search(line))
    found = {}
    tried = _TRIED_GIVEN.search(line)
    if tried:
        found["tried"] = tried.group(0)
    for kind in DETAIL_KINDS:
        match = kind.given.search(line)
        if match and (has_id or not kind.needs_id):
            found[kind.name] = match.groupdict().get("v") or match.group(0)
    return found


_KINDS = {kind.name: kind for kind in DETAIL_KINDS}
_IDENTIFYING = {k.name for k in DETAIL_KINDS if k.needs_id} | {
    "phone",
    "email",
    "postcode",
    "birth",
    "name",
}
_NAMES_ITS_VALUE = {"tried", "software"}
"""Kinds whose question may hold the value's word ("which version of Windows?")."""
_GENERIC = frozenset(
    re.findall(
        r"\S+",
        "is was are were my the a an our your it it's its from i i'm am calling of on for"
        " to with and number no code id ref reference key details this that here there",
    )
)
_NAMED = re.compile(
    r"((?:[a-z']+\W{1,3}){1,4})(?=(?!\d+(st|nd|rd|th|am"
    r"|pm)\b)(?=[a-z0-9/-]*\d[a-z/-]*\d)[a-z0-9][a-z0-9/-]{3,}(?![\w@]))",
    _FLAGS,
)


def _named(line: str) -> set[str]:
    """Words naming a value the line gives: "the return number is R-55120" -> {"return"}."""
    words: set[str] = set()
    for match in _NAMED.finditer(line):
        said = re.findall(r"[a-z']+", match.group(1).lower())
        words |= {w for w in said if w not in _GENERIC and w not in _FUNCTION_WORDS and len(w) > 2}
    return words


_FUNCTION_WORDS = frozenset(
    {"the", "and", "my", "your", "our", "it's", "its", "that's", "this", "that", "was", "are",
     "for", "with", "from", "number", "yes", "yeah", "okay", "i'm", "here", "there",
     "of", "is", "it", "in", "on", "at", "to", "or", "me", "so", "ok", "no"}
)  # fmt: skip
"""Words around a value that name nothing ("and my number is ..."): a later "is everybody
all right?" does not ask for it again."""


def _values(text: str) -> set[str]:
    """Id-shaped values, e-mails, postcodes and amounts, without spaces or case."""
    return {_plain(m.group(0)) for m in _VALUE.finditer(text)}


def _plain(text: str) -> str:
    return re.sub(r"[\s-]", "", text).lower()


_RELATIVE = (
    r"(wife|husband|partner|son|daughter|mum|mom|dad|father|mother|nan|gran|grandad|grandma"
    r"|brother|sister|aunt|uncle|friend|neighbou?r|boss|tenant|landlord|client|patient)"
)
_THEIR_NAME = re.compile(
    rf"\b(my|our) (\w+ )?{_RELATIVE}('s)?,? (is |called |named )?(?-i:(Mr|Mrs|Ms|Miss|Dr)\.? )?"
    r"(?-i:[A-Z][a-z]+ [A-Z][a-z'-]+)",
    _FLAGS,
)
"""A name the caller gives of someone else ("it's my dad, Frank Holloway")."""
OWN_NAME = re.compile(
    r"\bname('s| is| was|:)\s+\w+|\bsurname,? (?-i:[A-Z][a-z'-]+)"
    r"|\bunder (the name )?(?-i:(Mr|Mrs|Ms|Miss|Dr)\.? )?(?-i:[A-Z][a-z'-]+)"
    r"|\b(this is|i'm|im|i am|it's|speaking)\s+(?-i:(Mr|Mrs|Ms|Miss|Dr)\.? )?"
    r"(?!(?-i:(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Not|Just|So|Really"
    r"|Still|Here|About|Calling))\b)(?-i:[A-Z][a-z'-]+)\b(?!')",
    _FLAGS,
)
"""The caller's own name ("this is Anna Kowalska", "my name's Dev", "surname Fraser", "it's
under Patel"); not a day or a filler word ("it's Monday", "I'm Just ...")."""
_ASKS_OWN_NAME = re.compile(
    r"\b(your|ur|yr)( full| first| last| sur)? ?name\b"
    r"|\bwho('s| is| am i)( i'?m)? (speaking|talking)|\bwho am i (speaking|talking)",
    _FLAGS,
)


def _other_persons_name(sentence: str, lines: Sequence[str]) -> bool:
    """The agent asks for one person's name and the caller gave only another's: "Can I take
    your name?" after "it's about my dad, Frank Holloway", or "and your dad's name?" after
    "this is Anna"."""
    own = any(OWN_NAME.search(_THEIR_NAME.sub(" ", line)) for line in lines)
    theirs = any(_THEIR_NAME.search(line) for line in lines)
    if re.search(
        rf"\b(your|ur|his|her|their|the) (\w+ )?{_RELATIVE}'?s( full)? name\b|\b(his|her|their)"
        r"( full)? name\b",
        sentence,
        _FLAGS,
    ):
        return own and not theirs
    return bool(_ASKS_OWN_NAME.search(sentence)) and theirs and not own


_GENERIC = {"where", "when", "how_many"}
"""Kinds a question word alone asks for; a sentence that also asks for a specific detail the
caller did not give ("the street address where the water is coming up?") asks for that."""


def asks_again(
    sentence: str, context: str, earlier: Sequence[str] = (), turn: str = ""
) -> str | None:
    """The kind of detail ``sentence`` asks for that the caller already gave, or None.

    ``context``: the customer's line just before; ``earlier``: their earlier lines in the
    call, which count only for identifying details (numbers and ids, postcode, e-mail,
    name, phone, date of birth), not for a date or a place, which may be another
    event's. ``turn``: the agent's whole turn (default the sentence). A turn that repeats one of
    the caller's values (a read-back to confirm, "the S23, great") asks for nothing again.
    A request for no kind above that names the words that named a value ("the return
    number" after "the return number is R-55120") asks again too (kind ``named``)."""
    lines = [line for line in (context, *earlier) if line and line.strip()]
    asked = asked_kinds(sentence)
    if not lines or not (
        asked or _REQUEST.search(sentence) and not _NOT_A_REQUEST.search(sentence)
    ):
        return None
    given: dict[str, str] = {}
    values: set[str] = set()
    named: set[str] = set()
    for i, line in enumerate(lines):
        given |= {k: v for k, v in _given(line).items() if i == 0 or k in _IDENTIFYING}
        values |= _values(line)
        named |= _named(line)
    whole = _plain(turn or sentence)
    if values & _values(turn or sentence) or any(
        len(v) > 2 and _plain(v) in whole
        for k, v in given.items()
        if k in _KINDS and not _KINDS[k].needs_id and k not in _NAMES_ITS_VALUE
    ):
        return None
    hits = sorted(asked & set(given))
    if "name" in hits and _other_persons_name(sentence, lines):
        hits.remove("name")
    if set(asked) - set(given) - _GENERIC:  # "the street address where it leaks": a new detail
        hits = [k for k in hits if k not in _GENERIC]
    if hits:
        return hits[0]
    if asked:  # it names a detail of its own, one the caller did not give
        return None
    words = set(re.findall(r"[a-z']+", sentence.lower()))
    return "named" if named & words else None
