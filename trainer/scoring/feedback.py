"""Feedback about this call: what went well, and a "next time" line built on the call itself.

Each criterion gets one sentence or two. A pass names what went well (the quote is
the criterion's evidence, shown once, beside it). A failure says what to do next
time and, where it can, how to say it here: the persona's own example phrasing
for that criterion (``Coaching.examples``), else the rubric's generic
``feedback.example`` with ``{company}`` and ``{name}`` filled from this call (the
persona's company, the name the trainee gave). A criterion not applicable because
of how the call ended says so.

The line a failed rule looked at becomes its evidence when no signal decided it:
the first agent turn for an opening rule, the last for a closing rule, the
trainee's reply to the caller's first upset line for an empathy rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from trainer.rubric.criteria import Criterion, Requires, names
from trainer.scoring.call_view import CallView, Hit
from trainer.scoring.rules import RuleOutcome
from trainer.scoring.sentences import split_sentences

QUOTE_CHARS = 140
"""Longest quote in a feedback sentence (longer ones are cut with an ellipsis)."""

_NAME = re.compile(
    r"\b(?:my name is|this is|you're speaking (?:to|with)|speaking with|i'm|i am)\s+"
    r"([A-Z][a-z]+)\b"
)
_EMPATHY = {"acknowledges_feelings", "apologises", "restates_issue", "explores"}
_RITUAL = {"greets", "introduces_self"}


@dataclass(frozen=True)
class Coaching:
    """What the call's persona lends the feedback (all optional).

    ``examples``: criterion id -> a phrasing that fits this caller's situation;
    ``company``: the company the trainee answers for.
    """

    examples: Mapping[str, str] = field(default_factory=dict)
    company: str | None = None


def quote(text: str) -> str:
    """A sentence as feedback quotes it: one line, at most ``QUOTE_CHARS`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def feedback(
    criterion: Criterion, outcome: RuleOutcome, view: CallView, coaching: Coaching | None = None
) -> str:
    """What the trainee reads under a criterion (never repeating its evidence quote)."""
    text = criterion.feedback
    if outcome.status == "not_applicable":
        if outcome.moot:
            return f"Not applicable - {outcome.reason}."
        return text.not_applicable or f"Not applicable: {outcome.reason}."
    if outcome.status == "passed":
        return _capitalised(text.passed)
    line = _capitalised(text.fail)
    example = _example(criterion, view, coaching or Coaching())
    return f'{line} Here, for example: "{example}"' if example else line


def context_hit(criterion: Criterion, view: CallView) -> Hit | None:
    """The agent line a failed criterion is about, when no signal decided it."""
    agent_turns = [i for i, s in enumerate(view.speakers) if s == "agent"]
    if not agent_turns:
        return None
    rules = [r for r in criterion.rules() if isinstance(r, Requires)]
    signals = {n for r in rules for n in names(r.signal)}
    if any(r.within_first for r in rules):
        turn, first = agent_turns[0], True
    elif any(r.within_last for r in rules):
        turn, first = agent_turns[-1], False
    elif signals & _EMPATHY:
        upset = [h.turn for h in view.hits if h.speaker == "customer"]
        after = [t for t in agent_turns if upset and t > upset[0]]
        turn, first = (after[0] if after else agent_turns[0]), True
    else:
        return None
    sentences = split_sentences(view.texts[turn])
    if signals & _EMPATHY:  # the reply itself, not the greeting before it
        ritual = {h.sentence for h in view.hits if h.turn == turn and h.signal in _RITUAL}
        sentences = [s for s in sentences if s not in ritual] or sentences
    if not sentences:
        return None
    return Hit(turn, "agent", "", sentences[0] if first else sentences[-1], 0.0)


def _example(criterion: Criterion, view: CallView, coaching: Coaching) -> str | None:
    own = coaching.examples.get(criterion.id)
    if own:
        return own
    generic = criterion.feedback.example
    if not generic:
        return None
    values = {"company": coaching.company or "[your company]", "name": _agent_name(view) or "Sam"}
    try:
        return generic.format(**values)
    except (KeyError, IndexError, ValueError):
        return generic


def _agent_name(view: CallView) -> str | None:
    for speaker, text in zip(view.speakers, view.texts, strict=True):
        if speaker == "agent":
            found = _NAME.search(text)
            return found.group(1) if found else None
    return None


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
