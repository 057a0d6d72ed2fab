"""Empathy levels after EPITOME (Sharma et al., 2020, "A Computational Approach
to Understanding Empathy Expressed in Text-Based Mental Health Support").

EPITOME grades three mechanisms of an empathic response, each *none*, *weak*
or *strong*:

- **emotional reactions** — expressing warmth or concern: the signals
  ``acknowledges_feelings`` and ``apologises``;
- **interpretations** — communicating an understanding of the situation:
  ``restates_issue``;
- **explorations** — asking about what the caller has not said yet:
  ``explores``.

A mechanism is *strong* in a turn when a sentence showing it is specific to
what the customer said — it shares a content word with the customer's last
two turns ("I'm sorry your internet has been down since Monday") — and
*weak* when it is generic ("I understand how you feel"). The call level of a
mechanism is its highest turn level. Levels are computed from the credited
signal hits, so empathy that the anti-gaming filter removed counts nothing.

A calibrated rubric may carry a fitted model instead (``empathy_model.py``,
written by ``python -m trainer calibrate`` from mechanism labels): its
mechanisms are then graded by the model, turn by turn, with the same
customer context, and the rule above grades only the mechanisms it lacks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from trainer.scoring.call_view import Hit

if TYPE_CHECKING:
    from trainer.scoring.embeddings import Encoder
    from trainer.scoring.empathy_model import EpitomeModel

MECHANISMS: dict[str, tuple[str, ...]] = {
    "emotional_reactions": ("acknowledges_feelings", "apologises"),
    "interpretations": ("restates_issue",),
    "explorations": ("explores",),
}
LEVELS = ("none", "weak", "strong")
CONTEXT_TURNS = 2
"""Customer turns (before the agent's) a sentence must echo to be specific."""

_STOPWORDS = frozenset(
    """
    a about above after again all also am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't
    doing don't down during each few for from further get got had hadn't has hasn't have haven't
    having he her here hers him his how i i'd i'll i'm i've if in into is isn't it it's its just
    let let's me more most my myself no nor not now of off on once only or other our ours out
    over own really same she should shouldn't so some such than that that's the their them then
    there there's these they they're this those through to too under until up very was wasn't we
    we'll we're we've were weren't what what's when where which while who why will with won't
    would wouldn't you you'd you'll you're you've your yours yourself yes yeah okay ok well
    sorry apologise apologize apologies understand understanding feel feeling feelings hear
    hearing sound sounds must know see thank thanks please help call calling today right sure
    tell told more bit little going want need like one thing things way lot since ago still
    every also even much many back get make made take
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_TOKEN = re.compile(r"[a-z0-9£$€]+(?:'[a-z]+)?")


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    """Stemmed words of ``text`` that carry content (no stop words, no empathy stock words)."""
    words = set()
    for token in _TOKEN.findall(text.lower().replace("\u2019", "'")):
        if token not in _STOPWORDS:
            token = token.split("'")[0]  # internet's -> internet
        if token in _STOPWORDS or (len(token) < 3 and not token.isdigit()):
            continue
        words.add(_stem(token))
    return words


def is_specific(sentence: str, customer_context: str) -> bool:
    """Does the sentence echo a content word of what the customer said?"""
    return bool(content_words(sentence) & content_words(customer_context))


def epitome(
    speakers: Sequence[str],
    texts: Sequence[str],
    hits: Sequence[Hit],
    model: EpitomeModel | None = None,
    encoder: Encoder | None = None,
) -> dict[str, Any]:
    """EPITOME levels per agent turn and for the call.

    Returns ``{"framework": "EPITOME", "call": {mechanism: level},
    "turns": [{"turn": i, mechanism: level, ...}, ...]}`` where ``turn`` is the
    index of an agent turn in the transcript and levels are none/weak/strong.
    With a fitted ``model`` its mechanisms are graded by it (``encoder``: the
    shared MiniLM by default) and ``"graded_by"`` says so.
    """
    fitted = _fitted_levels(speakers, texts, model, encoder) if model is not None else {}
    by_turn: dict[int, list[Hit]] = {}
    for h in hits:
        by_turn.setdefault(h.turn, []).append(h)
    call = dict.fromkeys(MECHANISMS, 0)
    rows = []
    customer_turns: list[str] = []
    for turn, speaker in enumerate(speakers):
        if speaker == "customer":
            customer_turns.append(texts[turn])
            continue
        if speaker != "agent":
            continue
        context = " ".join(customer_turns[-CONTEXT_TURNS:])
        row: dict[str, Any] = {"turn": turn}
        for mechanism, signals in MECHANISMS.items():
            shown = [h for h in by_turn.get(turn, []) if h.signal in signals]
            level = 0
            if mechanism in fitted:
                level = int(fitted[mechanism][turn])
            elif shown:
                level = 2 if any(is_specific(h.sentence, context) for h in shown) else 1
            row[mechanism] = LEVELS[level]
            call[mechanism] = max(call[mechanism], level)
        rows.append(row)
    out = {
        "framework": "EPITOME",
        "call": {m: LEVELS[level] for m, level in call.items()},
        "turns": rows,
    }
    if model is not None:
        out["graded_by"] = {m: "model" if m in fitted else "rule" for m in MECHANISMS}
    return out


def agent_contexts(speakers: Sequence[str], texts: Sequence[str]) -> list[tuple[int, str, str]]:
    """(turn, agent text, the customer's last ``CONTEXT_TURNS`` turns) per agent turn."""
    out, customer_turns = [], []
    for turn, speaker in enumerate(speakers):
        if speaker == "customer":
            customer_turns.append(texts[turn])
        elif speaker == "agent":
            out.append((turn, texts[turn], " ".join(customer_turns[-CONTEXT_TURNS:])))
    return out


def _fitted_levels(speakers: Sequence[str], texts: Sequence[str], model: EpitomeModel,
                   encoder: Encoder | None) -> dict[str, dict[int, int]]:  # fmt: skip
    """mechanism -> agent turn -> level, from the fitted model."""
    if encoder is None:
        from trainer.scoring.embeddings import Embedder

        encoder = Embedder.shared()
    rows = agent_contexts(speakers, texts)
    levels = model.levels([r[1] for r in rows], [r[2] for r in rows], encoder)
    return {m: {r[0]: int(v) for r, v in zip(rows, found, strict=True)}
            for m, found in levels.items() if m in MECHANISMS}  # fmt: skip


def level_value(level: str | int | bool) -> int:
    """An EPITOME level as 0, 1 or 2 (accepts the names, the numbers and booleans)."""
    if isinstance(level, bool):
        return 2 if level else 0
    if isinstance(level, int):
        if level not in (0, 1, 2):
            raise ValueError(f"EPITOME level must be 0, 1 or 2 (got {level})")
        return level
    try:
        return LEVELS.index(str(level).strip().lower())
    except ValueError:
        raise ValueError(f"EPITOME level must be none, weak or strong (got {level!r})") from None
