"""One kind of customer detail, as both sides of the trainer read it.

The simulated caller (``trainer.personas.asks``) reads which of a persona's facts an
agent's sentence asks for: a kind's ``fact`` pattern picks it from the fact's name, and
its ``names``, ``describes``, ``near`` and ``serves`` say how agents ask for it without
that name. The scorecard (``trainer.scoring.given_details``) reads whether an agent asks
again for a detail the caller already gave: a kind's ``asked`` pattern names a request for
it and ``given`` a caller's value of it. A kind may serve one side only (its other fields
empty).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

FLAGS = re.IGNORECASE
NUMBER = r"(?:number|no|num|#|id|ref\w*|code)"
"""The words after a noun that make it a number ("policy no", "order ref", "claim ID")."""
ID = r"(?=[a-z0-9/-]*\d)[a-z0-9][a-z0-9/-]{2,}"
"""An id-shaped token: at least three characters, one of them a digit (5521-7788, QF7T2K)."""
HAS_ID = re.compile(rf"(?<![\w@.]){ID}(?![\w@])", FLAGS)


@dataclass(frozen=True)
class DetailKind:
    """One kind of detail: which fact names it covers, how it is asked for, how it is given."""

    name: str
    fact: str = ""
    """Which persona facts are of this kind, by their name ("" for the scorecard's only)."""
    names: tuple[str, ...] = ()
    """Other names agents use for it ("customer ID", "zip", "landline")."""
    describes: tuple[str, ...] = ()
    """Descriptions that ask for it ("the long number at the top of your bill")."""
    near: tuple[str, ...] = ()
    """Where it is written: "the number on it" after "have you got the receipt?"."""
    serves: tuple[str, ...] = ()
    """Kinds it answers for (by their names and descriptions) when the persona has none."""
    asked: re.Pattern[str] | None = None
    """The scorecard's test: the sentence names (or, for "when", is) a request for it."""
    given: re.Pattern[str] | None = None
    """The customer's line gives a value of this kind (with :attr:`needs_id`: names it)."""
    needs_id: bool = False
    """Given only when the line also holds an id-shaped token (digits, a code)."""
    question: bool = False
    """Asked only in a question ("when did it start?", not "call me when it's back")."""


def numbered(
    name: str,
    fact: str,
    asked: str,
    given: str | None = None,
    **caller: tuple[str, ...],
) -> DetailKind:
    """A detail named by a noun and written as a number: the scorecard counts it asked when a
    request names ``asked`` and given when the caller's line names ``given`` (default the
    same words) next to an id-shaped value; ``caller`` holds the caller side's fields
    (``names`` default: the noun followed by "number", "no", "ref" ...)."""
    word = fact.split("|")[0].removeprefix(r"\b").removesuffix(r"\b")
    fields: dict[str, tuple[str, ...]] = {"names": (rf"\b{word} {NUMBER}(?!\w)",)} if fact else {}
    fields |= caller
    return DetailKind(
        name,
        fact,
        asked=re.compile(rf"\b({asked})\b", FLAGS),
        given=re.compile(rf"\b({given or asked})\b", FLAGS),
        needs_id=True,
        **fields,  # type: ignore[arg-type]
    )


@cache
def compiled(pattern: str) -> re.Pattern[str]:
    """A table pattern, compiled once (case-insensitive)."""
    return re.compile(pattern, FLAGS)
