"""The caller's agenda, authored responses and persistence: the persona fields the planner reads.

A trainer writes what the caller *needs* (``agenda:``), how they say each kind of reply
(``responses:``, by act and mood band) and how long they hold on (``persistence:``).
The turn planner (``trainer.simulation.planner``) chooses the act; these fields voice it.
A persona without them still works: the shared phrasebook (``voice:``) fills the gaps.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict

from trainer.patterns import compile_pattern, pattern_problem
from trainer.personas.names import AgentSignal
from trainer.problems import fail, got

Act = Literal[
    "answer",
    "answer_again",
    "explain",
    "react_empathy",
    "react_ownership",
    "react_next_step",
    "accept",
    "challenge",
    "ask_jargon",
    "push_back",
    "press",
    "satisfied",
    "no_more",
    "goodbye",
    "hang_up",
    "escalated",
    "ended_by_agent",
    "filler",
]
"""What the caller does in (part of) a reply; the planner picks them, ``responses`` voice them."""
ACTS: tuple[str, ...] = Act.__args__  # type: ignore[attr-defined]

Voice = Literal["blunt", "polite", "anxious"]
"""The shared phrasebook a persona falls back on for acts it has no lines for."""

RUDE_SIGNALS = frozenset(
    {"blames_customer", "says_calm_down", "dismissive", "insults_customer", "profanity"}
)
"""Agent signals a caller counts towards hanging up (``persistence.rude_turns``)."""

SLOTS = ("facts", "need", "agent_words")
"""Placeholders a response line may use: ``{facts}`` the values asked for, ``{need}`` the
first unaddressed need, ``{agent_words}`` a few of the agent's own words."""


def check_pattern(value: str) -> str:
    """A trainer-written regex, or a ``fail`` saying why it is refused (``trainer.patterns``)."""
    try:
        problem = pattern_problem(value)
    except re.error as err:
        raise fail("regex", f"not a valid regular expression: {err} (got {got(value)})") from None
    if problem:
        raise fail("regex", f"{problem} (got {got(value)})")
    return value


def _slots(value: str) -> str:
    for name in re.findall(r"\{([^{}]*)\}", value):
        if name not in SLOTS:
            known = ", ".join(f"{{{s}}}" for s in SLOTS)
            raise fail("slot", f"unknown placeholder {{{name}}}; use {known}")
    return value


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _as_bands(value: Any) -> Any:
    """Shorthand: a list (or one line) for every mood band."""
    if isinstance(value, (str, list)):
        lines = _as_list(value)
        return {"calm": lines, "annoyed": lines, "angry": lines}
    return value


Pattern = Annotated[str, Field(min_length=1), AfterValidator(check_pattern)]
Line = Annotated[str, Field(min_length=1), AfterValidator(_slots)]
LineList = Annotated[list[Line], BeforeValidator(_as_list)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class AddressedBy(_Model):
    """What counts as addressing a need: any of ``signals`` and, if given, any of ``phrases``."""

    signals: Annotated[list[AgentSignal], BeforeValidator(_as_list)] = Field(
        default_factory=list, description="agent signals (any of them) that address the need"
    )
    phrases: Annotated[list[Pattern], BeforeValidator(_as_list)] = Field(
        default_factory=list,
        description="regexes (case-insensitive); with signals, both must hold",
    )

    def holds(self, signals: set[str], text: str) -> bool:
        """True when an agent turn showing ``signals`` with ``text`` addresses the need.

        With ``phrases``, a phrase must appear in a sentence that does not deny it ("I
        can't do Thursday"); then any of ``signals``, or, when the analyser found none of
        them, the agent's own commitment in a turn that is not rude will do. Without
        ``phrases``, any of ``signals`` is needed.
        """
        by_signal = any(s in signals for s in self.signals)
        if not self.phrases:
            return by_signal
        sentences = [s for s in _SENTENCE.split(text) if s.strip() and not _DENIAL.search(s)]
        by_phrase = any(compile_pattern(p).search(s) for p in self.phrases for s in sentences)
        if by_signal or not self.signals:
            return by_phrase
        # the analyser found none of the signals: the words must still be the agent's own
        # commitment ("I've removed the block now"), in a turn that is not rude
        committed = any(_COMMITMENT.search(s) for s in sentences)
        return by_phrase and committed and not signals & RUDE_SIGNALS


class Need(_Model):
    """One thing the caller needs from the call (``agenda:``)."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")] = Field(
        description="unique id, e.g. technician-date"
    )
    need: Annotated[str, Field(min_length=1)] = Field(
        description="what the caller needs, in a few words: 'a technician date'"
    )
    addressed_by: AddressedBy = Field(description="{signals, phrases}: what meets it")
    press: LineList = Field(
        default_factory=list,
        description="what the caller says when it is still open ('And what about the credit?')",
    )


class BandLines(_Model):
    """Lines of one act by mood band (a plain list means: the same for every band)."""

    calm: LineList = Field(default_factory=list, description="mood 0-3")
    annoyed: LineList = Field(default_factory=list, description="mood 4-6")
    angry: LineList = Field(default_factory=list, description="mood 7-10")


Responses = Annotated[
    dict[Act, Annotated[BandLines, BeforeValidator(_as_bands)]],
    Field(description="act -> lines by mood band, e.g. answer: {angry: ['{facts}. Third time.']}"),
]


class Persistence(_Model):
    """How long the caller holds on before hanging up, and how fast they calm down."""

    rude_turns: Annotated[int, Strict(), Field(ge=1, le=20)] = Field(
        3, description="rude agent turns before the caller may hang up (abuse: at once)"
    )
    idle_turns: Annotated[int, Strict(), Field(ge=1, le=20)] = Field(
        4, description="agent turns with nothing useful before the caller may hang up"
    )
    max_calming: Annotated[int, Strict(), Field(ge=1, le=10)] | None = Field(
        None, description="most the mood can fall in one turn; default easy 4, medium 3, hard 2"
    )
    press_after: Annotated[int, Strict(), Field(ge=1, le=20)] = Field(
        2, description="agent turns before an open need is raised again"
    )


_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\s+-\s+|\s*\n\s*")
_COMMITMENT = re.compile(
    r"\b(i|we)('ve|'ll| have| will|'m going to| am going to|'re going to| are going to| can)\b",
    re.IGNORECASE,
)
_DENIAL = re.compile(
    r"\b(can(no|')t|cannot|won't|unable|not able|no way|isn't possible|not possible|don't do)\b",
    re.IGNORECASE,
)
_REQUEST = re.compile(
    "|".join(
        [
            r"\?",
            r"\b(can|could|may|would|will) (i|you|we)\b",
            r"\bplease\b|\bpls\b|\bgo ahead\b|\bready\b",
            r"\b(give|tell|read|provide|spell|share|pass|send) (me|us|it|that|over)\b",
            r"\b(confirm|verify|quote)( for me)? (your|the|that|me|it)\b",
            r"\bwhat('s| is| was| are)\b",
            r"\bneed (your|the|to (take|get|have|check|confirm))\b",
            r"\b(i|we)('ll|'d| will| would)? (just )?(need|want|take|grab|get|have) (your|the|a)\b",
        ]
    ),
    re.IGNORECASE,
)
_NOT_ASKING = re.compile(
    "|".join(
        [
            r"\b(i've|i have|we've|we have|i('ve)? already) (got |already |now )?"
            r"(got|have|taken|verified|found|pulled|updated|noted)\b",
            r"\bno need\b|\b(don't|won't) need\b|\bfor today is\b",
            r"\b(we|i)('ll| will) (text|send|email|call|ring|post)\b",
            r"\byour \w+( \w+)? (is|was|reads)\b",
            r"\bread (that |it |this )?back\b|\byou'll (get|receive)\b",
            r"^\W*(just )?to confirm\b(?!.*\?)",  # "To confirm, ..." tells; "..., to confirm?" asks
        ]
    ),
    re.IGNORECASE,
)


def asking_sentences(text: str, verifying: bool = False) -> list[str]:
    """The sentences of an agent turn that ask the caller for something.

    "Can I take your postcode?" asks; "I've got your postcode here already" and "we'll
    text that mobile number" only mention it. A fact's ``asked_by`` patterns are looked for
    in these sentences only, so a detail the agent merely mentions is not blurted out.
    With ``verifying`` (the analyser found a verification request in the turn) a sentence
    needs no request word of its own: "Account number and postcode, and I'll get on it."
    """
    sentences = [s for s in _SENTENCE.split(text) if s.strip()]
    return [s for s in sentences if (verifying or _REQUEST.search(s)) and not _NOT_ASKING.search(s)]


def spelled_sentences(text: str) -> list[str]:
    """Sentences that spell out the start of a value ("it starts B-W"), when the turn asks."""
    if not asking_sentences(text):
        return []
    sentences = [s for s in _SENTENCE.split(text) if s.strip()]
    return [s for s in sentences if spelled_prefix(s) and not _NOT_ASKING.search(s)]


_WORD_FORMS = {
    "number": r"(?:number|no|num|#|id|reference|ref|code)",
    "account": r"(?:account|acct|a/c)",
    "address": r"(?:address|addy)",
    "phone": r"(?:phone|telephone|tel|landline)",
    "mobile": r"(?:mobile|cell)",
    "reference": r"(?:reference|ref|code|number)",
    "confirmation": r"(?:confirmation|code)",
    "email": r"(?:e-?mail)",
    "moving": r"(?:moving|move)",
    "travel": r"(?:travel\w*|trip|fly|flew|abroad|away)",
    "date": r"(?:dates?|day|when)",
    "dates": r"(?:dates?|days?|when)",
    "model": r"(?:model|product|device|unit)",
    "amount": r"(?:amount|how much|come to|total)",
}
_STOP_WORDS = frozenset({"on", "of", "the", "a", "an", "for", "to", "in"})
_NAME_ALIASES = {
    "date of birth": r"\bd\.?o\.?b\b|\bbirthday\b|\bborn\b",
    "postcode": r"\bpost\s*code\b|\bpostal\s+code\b|\bzip\b",
}
_SPELLED_PREFIX = re.compile(
    r"\b(?:starts?|starting|begins?|beginning)\s+(?:with\s+)?"
    r"([A-Za-z0-9](?:[- .]?[A-Za-z0-9]){1,3})\b"
)


def name_pattern(name: str) -> str:
    """A fact's name as agents say it: ``account number`` also matches "acct no" and
    "account ID", ``date of birth`` also "DOB", ``add-on confirmation`` "the code from the
    add-on text": every word of the name (or a form of it), in any order."""
    words = [w for w in re.findall(r"[a-z0-9]+", name.lower()) if w not in _STOP_WORDS]
    forms = [_WORD_FORMS.get(w, re.escape(w)) for w in words] or [re.escape(name)]
    pattern = "".join(rf"(?=.*\b{form}\b)" for form in forms)
    alias = _NAME_ALIASES.get(name.lower())
    return f"^{pattern}|{alias}" if alias else f"^{pattern}"


def spelled_prefix(sentence: str) -> str:
    """The start of a value the agent spells out ("it starts N-B" -> ``NB``), else ""."""
    found = _SPELLED_PREFIX.search(sentence)
    return re.sub(r"[^A-Za-z0-9]", "", found.group(1)).upper() if found else ""
