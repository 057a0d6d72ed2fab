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
from trainer.personas.asking import SENTENCE
from trainer.personas.names import AgentSignal
from trainer.yamlfiles.problems import fail, got

Act = Literal[
    "answer",
    "answer_again",
    "explain",
    "react_empathy",
    "react_ownership",
    "react_next_step",
    "accept",
    "confirm",
    "agree",
    "repeat",
    "ask_again",
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

SLOTS = ("facts", "need", "agent_words", "said")
"""Placeholders a response line may use: ``{facts}`` the values asked for, ``{need}`` the
first unaddressed need, ``{agent_words}`` a few of the agent's own words, ``{said}`` the
caller's point (the question the agent passed over, else their last line's first
sentence: what ``repeat`` and ``ask_again`` say again)."""


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
        can't do Thursday") or only name what is to come ("I'll fix two things today");
        then any of ``signals``, or, when the analyser found none of them, the agent's own
        commitment (not "I can see ...") in a turn that is not rude will do. Without
        ``phrases``, any of ``signals`` is needed.
        """
        by_signal = any(s in signals for s in self.signals)
        if not self.phrases:
            return by_signal
        sentences = [
            s
            for s in SENTENCE.split(text)
            if s.strip() and not _DENIAL.search(s) and not _ANNOUNCES.search(s)
        ]
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


_COMMITMENT = re.compile(  # "I can see the card was blocked", "I've got Tuesday's notes up" report
    r"\b(i|we)('ve|'ll| have| will|'m going to| am going to|'re going to| are going to| can)\b"
    r"(?! (see|hear|tell|imagine|understand|appreciate|only|not|also see)\b)"
    r"(?!('ve| have)? (seen|heard|noticed|looked|been told)\b)"
    r"(?! got (\w+'?s? ){0,3}(notes|file|records?|account|details|history|screen"
    r"|case)\b)",
    re.IGNORECASE,
)
_ANNOUNCES = re.compile(  # "I'm going to fix two things for you today: ..." names topics ahead
    r"\b(two|three|a few|a couple of|several) (things|issues|problems|bits|parts)\b",
    re.IGNORECASE,
)
_DENIAL = re.compile(
    r"\b(can(no|')t|cannot|won't|unable|not able|no way|isn't possible|not possible|don't do)\b",
    re.IGNORECASE,
)
