"""Signals read by structure against what the caller said, beside the learned heads.

``asks_already_given_info`` (``given_details``) and ``restates_issue`` (``restating``)
depend on the customer's earlier words, which a sentence head cannot see well; the
analyser (``signals.py``) runs these rules on every agent sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from trainer.scoring.given_details import asks_again
from trainer.scoring.restating import not_a_summary, restates

CONTEXT_RULES: dict[str, Callable[[str, str, Sequence[str], str], bool]] = {
    "asks_already_given_info": lambda s, ctx, earlier, turn: bool(
        asks_again(s, ctx, earlier, turn)
    ),
    "restates_issue": lambda s, ctx, earlier, turn: restates(s, ctx),
}
"""Signals also read by structure against what the caller said (``given_details``,
``restating``): they fire on a sentence (method ``context``, score
:data:`CONTEXT_SCORE`) when the rule holds, whatever the head says."""
CONTEXT_SCORE = 0.95
_INSTRUCTION = re.compile(
    r"^\W*((just|now|please|ok(ay)?|right|so),? )*(don'?t|do not|get|go|stay|keep|leave|turn"
    r"|switch|open|close|move|put|take|hold|press|pull|call|ring|dial|bring|wait|sit|stand"
    r"|step|grab|unplug|plug|try|check|come)\b",
    re.IGNORECASE,
)


def short_instruction(sentence: str) -> bool:
    """A short instruction ("Just get out.", "Don't sit in it.", "Stay behind the barrier."):
    a head reads a curt tone into it, but a rude one says more (its patterns still fire)."""
    return len(re.findall(r"[\w']+", sentence)) <= 5 and bool(_INSTRUCTION.match(sentence))


CONTEXT_VETOES: dict[str, Callable[[str], bool]] = {
    "restates_issue": not_a_summary,
    "dismissive": short_instruction,
    "says_calm_down": short_instruction,
}
"""Sentences a signal's head may not fire on, whatever its probability: a guess at the
cause, an instruction or the agent's own action is not a restatement; a short instruction
is neither a brush-off nor "calm down"."""
