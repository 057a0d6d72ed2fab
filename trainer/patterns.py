r"""Trainer-written regular expressions: risky shapes refused, every match time-bounded.

Personas (``facts.*.asked_by``) and rubrics (``signals.*.patterns`` and ``vetoes``)
hold regexes that anyone with the persona studio or the QA page can write. On a
backtracking engine ``(a+)+$`` takes minutes on one 34-character line, so:

- ``pattern_problem(text)`` says why a pattern is refused (the validators report it
  with file, line and field), or None; ``re.error`` when it is not valid. Refused:
  longer than ``MAX_PATTERN_CHARS``; groups nested more than ``MAX_GROUP_DEPTH``
  deep; a repeat that can split the same text more than one way ("nested
  quantifiers"): a repeat inside a repeated group that can run on into what follows
  it (``(a+)+``, ``(\w+\s?)+``, ``(a+){0,10}``), or repeated alternatives that can
  match the same start (``(a|aa)+``). ``(\w+ ){0,3}`` is fine: the space ends each word.
- ``compile_pattern(text)`` compiles case-insensitively with the ``regex`` engine;
  each ``search`` gives up after ``MATCH_TIMEOUT_S`` (logged, and counted as no
  match) for whatever shape the rules above do not catch.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

import regex

try:  # Python 3.11+
    import re._constants as sre
    import re._parser as sre_parse
except ImportError:  # pragma: no cover (Python 3.10)
    import sre_constants as sre  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

MAX_PATTERN_CHARS = 1000
"""The longest bundled pattern is 595 characters."""
MAX_GROUP_DEPTH = 20
"""Parentheses inside each other (the bundled patterns: at most 4)."""
MATCH_TIMEOUT_S = 0.5
"""A pattern that has not matched within this time counts as no match (logged)."""

_log = logging.getLogger(__name__)
_PROBE = "".join(map(chr, range(128))) + "£€₹’‘“”–—…éèàüñçß"
"""The characters tried when asking whether two parts of a pattern can match the same one."""
_ANYTHING = frozenset(_PROBE)
_NOTHING: frozenset[str] = frozenset()
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT)  # possessive repeats never backtrack
_POSSESSIVE = getattr(sre, "POSSESSIVE_REPEAT", None)  # both new in Python 3.11
_ATOMIC = getattr(sre, "ATOMIC_GROUP", None)
_CATEGORIES = {
    sre.CATEGORY_DIGIT: str.isdecimal,
    sre.CATEGORY_SPACE: str.isspace,
    sre.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
    sre.CATEGORY_LINEBREAK: lambda c: c == "\n",
}
_NESTED = (
    "a repeat inside a repeat can split the same text many ways (like (a+)+ or (a|aa)+), "
    "which can take minutes on one line; end each repeated part with a character it "
    r"cannot match, as in (\w+ ){0,3}, or repeat only once"
)


class BoundedPattern:
    """A compiled trainer-written pattern whose ``search`` gives up after ``MATCH_TIMEOUT_S``."""

    __slots__ = ("_compiled", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._compiled = regex.compile(pattern, regex.IGNORECASE | regex.VERSION0)

    def search(self, text: str) -> Any:
        """The first match in ``text``, or None (also when the time ran out)."""
        try:
            return self._compiled.search(text, timeout=MATCH_TIMEOUT_S)
        except TimeoutError:
            _log.warning(
                "pattern %r gave up after %.1f s on a %d-character text (counted as no match)",
                self.pattern,
                MATCH_TIMEOUT_S,
                len(text),
            )
            return None

    def __repr__(self) -> str:
        return f"BoundedPattern({self.pattern!r})"


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> BoundedPattern:
    """``pattern`` compiled case-insensitively, its searches time-bounded (cached)."""
    return BoundedPattern(pattern)


@lru_cache(maxsize=4096)
def pattern_problem(pattern: str) -> str | None:
    """Why a trainer-written pattern is refused (a sentence for the error), or None.

    Raises ``re.error`` when it is not a valid regular expression (the validators word that).
    """
    if len(pattern) > MAX_PATTERN_CHARS:
        return f"too long for a pattern ({len(pattern)} characters; at most {MAX_PATTERN_CHARS})"
    if _group_depth(pattern) > MAX_GROUP_DEPTH:
        return f"groups nested more than {MAX_GROUP_DEPTH} deep"
    re.compile(pattern, re.IGNORECASE)
    try:
        compile_pattern(pattern)
    except regex.error as err:  # valid for re, not for the engine that runs it: rare
        raise re.error(str(err)) from None
    parsed = list(sre_parse.parse(pattern, re.IGNORECASE))
    return _NESTED if _any_ambiguous(parsed) else None


def _group_depth(pattern: str) -> int:
    """How deep the pattern's parentheses nest (escapes and ``[...]`` skipped), read before
    parsing: the parser recurses once per level."""
    depth = deepest = 0
    in_class = escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    return deepest


# -- the shape check: a repeated part that can be split more than one way --------------------


def _any_ambiguous(seq: list[Any]) -> bool:
    """Whether some repeat (``*``, ``+``, ``{m,n}`` with n > 1) anywhere in ``seq`` is ambiguous."""
    for op, av in seq:
        if op in _REPEATS and av[1] > 1:
            body = list(av[2])
            if _ambiguous(body, _first(body)[0]):
                return True
        if any(_any_ambiguous(list(child)) for child in _children(op, av)):
            return True
    return False


def _children(op: Any, av: Any) -> list[Any]:
    if op is sre.SUBPATTERN:
        return [av[-1]]
    if op is sre.BRANCH:
        return list(av[1])
    if op in (*_REPEATS, _POSSESSIVE):
        return [av[2]]
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return [av[1]]
    if op is _ATOMIC:
        return [av]
    return []


def _ambiguous(seq: list[Any], after: frozenset[str]) -> bool:
    """Whether ``seq`` (followed by characters in ``after``) can match one text two ways:
    a repeat that could run on into what follows it, or alternatives with the same start."""
    for i, (op, av) in enumerate(seq):
        rest, rest_empty = _first(seq[i + 1 :])
        follow = rest | after if rest_empty else rest
        if op is sre.SUBPATTERN and _ambiguous(list(av[-1]), follow):
            return True
        if op is sre.BRANCH:
            branches = [list(b) for b in av[1]]
            for j, one in enumerate(branches):
                if any(not _apart(one, other, follow) for other in branches[j + 1 :]):
                    return True
            if any(_ambiguous(b, follow) for b in branches):
                return True
        if op in _REPEATS:
            body = list(av[2])
            if av[1] > 1 and _first(body)[0] & follow:
                return True
            if av[1] <= 1 and _ambiguous(body, follow):
                return True
    return False


def _apart(one: list[Any], other: list[Any], follow: frozenset[str]) -> bool:
    """Whether two alternatives (each followed by ``follow``) can never match the same text:
    compared character by character until one position tells them apart."""
    for i in range(max(len(one), len(other)) + 1):
        if i >= len(one) or i >= len(other):
            longer = one if i < len(one) else other if i < len(other) else None
            if longer is None:
                return False  # the same length, every position shared: the same text
            first, empty = _first(longer[i:])
            return not empty and not first & follow
        a, b = _single(*one[i]), _single(*other[i])
        if a is None or b is None:
            return not _first(one[i:])[0] & _first(other[i:])[0]
        if not a & b:
            return True
    return False  # pragma: no cover (the loop always returns)


def _single(op: Any, av: Any) -> frozenset[str] | None:
    """The characters of a node that matches exactly one character, else None."""
    if op in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN):
        return _charset(op, repr(av), av)
    return None


def _first(seq: list[Any]) -> tuple[frozenset[str], bool]:
    """The characters ``seq`` can start with, and whether it can match the empty text."""
    chars: set[str] = set()
    for op, av in seq:
        found, empty = _first_of(op, av)
        chars |= found
        if not empty:
            return frozenset(chars), False
    return frozenset(chars), True


def _first_of(op: Any, av: Any) -> tuple[frozenset[str], bool]:
    single = _single(op, av)
    if single is not None:
        return single, False
    if op is sre.SUBPATTERN:
        return _first(list(av[-1]))
    if op is _ATOMIC:
        return _first(list(av))
    if op is sre.BRANCH:
        starts = [_first(list(b)) for b in av[1]]
        return frozenset().union(*(s for s, _ in starts)), any(e for _, e in starts)
    if op in (*_REPEATS, _POSSESSIVE):
        found, empty = _first(list(av[2]))
        return found, empty or av[0] == 0
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return _NOTHING, True
    return _ANYTHING, True  # back-references and the like: could be anything


_CHARSETS: dict[tuple[Any, str], frozenset[str]] = {}


def _charset(op: Any, key: str, av: Any) -> frozenset[str]:
    """The probe characters one character-matching node matches, ignoring case."""
    found = _CHARSETS.get((op, key))
    if found is None:
        found = frozenset(c for c in _PROBE if _matches(op, av, c))
        _CHARSETS[(op, key)] = found
    return found


def _matches(op: Any, av: Any, char: str) -> bool:
    variants = {v for v in (char, char.lower(), char.upper()) if len(v) == 1}
    if op is sre.NOT_LITERAL:
        return not any(ord(v) == av for v in variants)
    if op is sre.IN and av and av[0][0] is sre.NEGATE:
        return not any(_member(o, a, v) for o, a in av[1:] for v in variants)
    return any(_member(op, av, v) for v in variants)


def _member(op: Any, av: Any, char: str) -> bool:
    if op is sre.LITERAL:
        return ord(char) == av
    if op is sre.ANY:
        return char != "\n"
    if op is sre.RANGE:
        return av[0] <= ord(char) <= av[1]
    if op is sre.IN:
        return any(_member(o, a, char) for o, a in av)
    if op is sre.CATEGORY:
        name = str(av)
        positive = getattr(sre, name.replace("_NOT_", "_"), None)
        test = _CATEGORIES.get(positive)
        if test is None:
            return True
        return test(char) != ("_NOT_" in name)
    return True
