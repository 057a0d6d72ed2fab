"""Signals read by structure against what the caller said, beside the learned heads.

``asks_already_given_info`` (``given_details``) and ``restates_issue`` (``restating``)
depend on the customer's earlier words, which a sentence head cannot see well; the
analyser (``signals.py``) runs these rules on every agent sentence.
"""

from __future__ import annotations

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
CONTEXT_VETOES: dict[str, Callable[[str], bool]] = {"restates_issue": not_a_summary}
"""Sentences a signal's head may not fire on, whatever its probability: a guess at the
cause, an instruction or the agent's own action is not a restatement."""
