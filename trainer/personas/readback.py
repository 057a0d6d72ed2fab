"""A read-back: the agent says one of the caller's values back and asks if it is right.

"M14 5RT, is that right?", "Ending 4471, yes?", "Sorry, was that TQ1, or TQ11?",
"Fourteenth of August, nineteen sixty-one, yes?", "...: tracking SW 4471 0932 88 GB, going
to M14 5RT. All correct?" A caller answers with the value (confirming it, or putting the
agent right), so a read-back asks for each fact whose value it says, in part or whole.

A value is said when the question holds a piece of it: a run of three or more letters
and digits with a digit in it ("LS6", "4471", spoken digits "seven-seven-three-zero"
included), the day and month of a date ("the ninth of May"), or one of its telling words
("Fernbank", "Barcelona"). Only a question counts, or a statement right before a bare
check ("Yeah?", "All correct?"): "I've got MH-7730-2291 here. What happened next?"
mentions the policy number; it does not ask for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Protocol

_UNITS = {
    "zero": "0", "oh": "0", "nought": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10",
    "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
    "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19",
}  # fmt: skip
_TENS = {
    "twenty": "2", "thirty": "3", "forty": "4", "fifty": "5", "sixty": "6", "seventy": "7",
    "eighty": "8", "ninety": "9",
}  # fmt: skip
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_NUMBER_WORD = "|".join([*_UNITS, *_TENS, "double", "triple"])
_SPOKEN_RUN = re.compile(rf"\b(?:{_NUMBER_WORD})(?:[\s,-]+(?:{_NUMBER_WORD}))*\b", re.IGNORECASE)
_SPELLED_UNIT = re.compile(
    rf"(?<=\b[A-Za-z0-9]-)(?:{'|'.join(_UNITS)})\b|\b(?:{'|'.join(_UNITS)})(?=-[A-Za-z0-9]\b)",
    re.IGNORECASE,
)
"""A number word spelled out among letters: the "one" and "two" of "T-Q-one, two-P-L"."""
_CHECK_TAG = re.compile(
    r"^\W*(and |so )?(yeah|yes|yep|right|correct|ok(ay)?|all (correct|right|good|ok)"
    r"|(is|was|are|were) (that|it|this|those|they) (all )?(right|correct)"
    r"|(have|did) i (got|get|hear|heard) (that|it|this|you|those|all that) (right|correctly)"
    r"|(does|do) (all )?(of )?(that|this|those|it) (all )?(sound|look)s? (right|correct|ok(ay)?)"
    r"( to (you|u))?|(is )?that all (right|correct|ok(ay)?)|is that (the (right )?one|you|them)"
    r"|tama ba( lahat)?"
    r"|(all|does it all|do they all) look (right|correct|ok)|am i right|tama( po)?|correct po"
    r"|right po|that right"
    r"|(is )?(there )?anything wrong( there| with (that|those|any of (that|those)))?)"
    r"\W*(po|sir|ma'?am|mate|love)?\W*$",
    re.IGNORECASE,
)
_CHECK_END = re.compile(
    r"\b(is|was) (that|it) (right|correct)\?$|[,\s](yeah|yes|right|correct|ok(ay)?|po|tama( po)?"
    r"|that right|correct po|is that it|am i right)\?$|\bis that (a|an|the|with)\b.*\?$",
    re.IGNORECASE,
)
_YOU_SAID = re.compile(r"\b(you said|did you say|i heard|i've got it as|i have it as)\b", re.I)
_DOT = re.compile(r"\s+dot\s+", re.IGNORECASE)
"""An e-mail address said aloud: "gavin dot hollis at example dot com"."""
_TELLING = re.compile(r"[A-Za-z][A-Za-z-]{4,}")
_PLAIN = frozenset(
    {"about", "after", "again", "before", "called", "could", "every", "first", "month",
     "number", "other", "people", "pounds", "since", "someone", "their", "there", "these",
     "thing", "those", "today", "usually", "which", "would", "yesterday", "ordered", "online",
     "bought", "delivered", "morning", "afternoon", "evening", "weeks", "email", "address",
     "letter", "right", "flat", "house", "three-pack", "confirmation", "landline", "general",
     "worth", "mobile"}
)  # fmt: skip
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


class ValuedFact(Protocol):
    """What a read-back needs of a fact: its value."""

    value: str


def read_back(facts: Mapping[str, ValuedFact], text: str) -> set[str]:
    """Names of the facts whose values an agent turn reads back as a question."""
    checked = _checked_sentences(text)
    if not checked:
        return set()
    said = " ".join(checked)
    checks = " ".join(_checked_sentences(text, strict=True))
    pieces = _pieces(said)
    found = set()
    for name, fact in facts.items():
        value = _core(fact.value)
        if _holds_piece(_compact(value), pieces) or _same_date(value, said):
            found.add(name)
        elif "@" in value:  # "gavin.hollis@..., is that a dot?": the address's own name
            local = _compact(value.split("@")[0])
            if len(local) >= 5 and local in _compact(_DOT.sub("", said)):
                found.add(name)
        elif _telling_words(value) & {w.lower() for w in _TELLING.findall(checks)}:
            found.add(name)  # "27 Fernbank Road, is that F-E-R-N?", not "So the laptop's lost?"
    return found


def read_back_whole(facts: Mapping[str, ValuedFact], text: str) -> set[str]:
    """Names of the facts an agent turn reads back whole ("M14 5RT, is that right?"), so
    a caller can say yes; a part or a choice ("was that TQ1 or TQ11?") wants the value."""
    said = [_compact(s) for s in _checked_sentences(text) if not re.search(r"\bor\b", s, re.I)]
    whole = set()
    for name, fact in facts.items():
        value = _compact(_core(fact.value))
        if len(value) >= 4 and re.search(r"\d", value) and any(value in s for s in said):
            whole.add(name)
    return whole


def _checked_sentences(text: str, strict: bool = False) -> list[str]:
    """The question sentences of a turn, and the statement before a bare check tag;
    ``strict``: only checks ("..., is that right?", "you said ...", "...? Yeah?")."""
    sentences = [s.strip() for s in _SENTENCE.split(text.strip()) if s.strip()]
    checked: list[str] = []
    for i, sentence in enumerate(sentences):
        if _CHECK_TAG.search(sentence) and i:
            checked.append(sentences[i - 1])
        elif _is_check(sentence) or (sentence.endswith("?") and not strict):
            checked.append(sentence)
    return checked


def _is_check(sentence: str) -> bool:
    """A sentence that checks what was said: "you said 88213", "..., is that right?"."""
    return bool(_YOU_SAID.search(sentence) or _CHECK_END.search(sentence))


def spoken_digits(text: str) -> str:
    """Numbers said as words written as digits: "seven-seven-three-zero" -> "7730",
    "nineteen sixty-one" -> "1961", "double four seven one" -> "4471"."""

    def digits(run: re.Match[str]) -> str:
        words = re.split(r"[\s,-]+", run.group(0).lower())
        out, repeat, i = "", 1, 0
        while i < len(words):
            word = words[i]
            if word in ("double", "triple"):
                repeat = 2 if word == "double" else 3
            elif word in _TENS:
                unit = words[i + 1] if i + 1 < len(words) else ""
                if unit in _UNITS and len(_UNITS[unit]) == 1 and unit not in ("zero", "oh"):
                    out += (_TENS[word] + _UNITS[unit]) * repeat
                    i += 1
                else:
                    out += (_TENS[word] + "0") * repeat
                repeat = 1
            else:
                out += _UNITS[word] * repeat
                repeat = 1
            i += 1
        return out if len(words) > 1 or len(out) > 1 else run.group(0)

    text = _SPELLED_UNIT.sub(lambda m: _UNITS[m.group(0).lower()], text)
    return _SPOKEN_RUN.sub(digits, text)


def _core(value: str) -> str:
    """A value before what is said about it: "48,500 pesos to Mercy General Hospital" of
    "..., this morning"; "0113 496 0728" of "..., the landline that's down"."""
    return re.split(r",\s", value)[0]


def _compact(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", spoken_digits(text)).upper()


def _pieces(text: str) -> list[str]:
    """Pieces a value may hold: one to four words in a row, run together ("SW 4471" ->
    "SW4471", "48,500" -> "48500"), of three or more characters with a digit in them."""
    words = re.findall(r"[A-Za-z0-9]+", spoken_digits(text))
    pieces = []
    for i in range(len(words)):
        for j in range(i + 1, min(i + 4, len(words)) + 1):
            piece = "".join(words[i:j]).upper()
            if len(piece) >= 3 and re.search(r"\d", piece):
                pieces.append(piece)
    return pieces


def _holds_piece(value: str, pieces: list[str]) -> bool:
    return bool(re.search(r"\d", value)) and any(p in value for p in pieces)


def _same_date(value: str, said: str) -> bool:
    """The value is a date and the sentence says its day and month ("ninth of May")."""
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", said)}
    days = {int(d) for d in re.findall(r"\b(\d{1,2})(?:st|nd|rd|th)?\b", said)}
    days |= {_ORDINALS[w] for w in words if w in _ORDINALS}
    found = re.search(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? ({'|'.join(_MONTHS)})\b", value, re.I)
    if not found:  # "the 12th to the 15th of last month": every day said ("the twelfth to ...")
        own = {int(d) for d in re.findall(r"\b(\d{1,2})(?:st|nd|rd|th)\b", value)}
        return len(own) >= 2 and own <= days
    day, month = int(found.group(1)), found.group(2).lower()
    return bool(re.search(rf"\b{month[:3]}", said, re.IGNORECASE)) and day in days


def _telling_words(value: str) -> set[str]:
    """A value's own words a read-back names it by: "Fernbank", "Barcelona", "hollis"."""
    if "@" in value:
        return set()  # its words are the caller's own name: "Gavin, what's the serial?"
    words = {w.lower() for w in _TELLING.findall(value)} - _PLAIN
    return {w for w in words if w not in _MONTHS}
