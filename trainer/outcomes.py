"""How a practice call ends: the outcome names, in one place.

Every module that names an outcome (the call state, persona beats, the fidelity
harness, the app, the scorecard) imports them from here.

- ``resolved``: the caller was satisfied (the call may end before or after the
  agent's closing turn);
- ``hung_up``: the caller hung up;
- ``escalated``: transferred to a supervisor;
- ``ended_for_abuse``: the agent warned the caller about abuse, then ended the
  call per policy (:func:`agent_ending` tells it from ``ended_by_agent``);
- ``ended_by_agent``: the agent ended the call (End call, ``/end``, or an abuse
  ending without a warning first);
- ``abandoned``: the trainee started another call (or left) while this one went on;
  ``ongoing``: not ended yet.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Literal, get_args

Outcome = Literal[
    "resolved", "escalated", "hung_up", "ended_for_abuse", "ended_by_agent", "abandoned", "ongoing"
]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
"""Every outcome, in the order reports list them. ``abandoned``: the trainee started another
call in the app while this one went on (saved with its scorecard so far)."""
ENDED: tuple[Outcome, ...] = tuple(o for o in OUTCOMES if o != "ongoing")

OUTCOME_TITLES: dict[Outcome, str] = {
    "resolved": "Resolved",
    "escalated": "Escalated to a supervisor",
    "hung_up": "Caller hung up",
    "ended_for_abuse": "Ended under the abuse policy",
    "ended_by_agent": "Ended by you",
    "abandoned": "Abandoned",
    "ongoing": "Still going",
}
"""What a person reads for each outcome (scorecard, History, reports)."""

BeatEnding = Literal["hang_up", "escalated"]
"""What a persona beat may do to the call (``end_call:``): the caller's action."""
BEAT_ENDINGS: dict[BeatEnding, Outcome] = {"hang_up": "hung_up", "escalated": "escalated"}
"""The outcome each beat action leads to."""

WARNS = "warns_about_abuse"
ENDS_FOR_ABUSE = "ends_call_for_abuse"


def outcome_title(outcome: str | None) -> str:
    """The human label of an outcome name ('n/a' for none; unknown names de-snaked)."""
    if not outcome:
        return "n/a"
    return OUTCOME_TITLES.get(outcome, outcome.replace("_", " "))  # type: ignore[call-overload]


def agent_ending(agent_signals: Sequence[Collection[str]]) -> Outcome:
    """How an agent-ended call ended, from the agent signals of each agent turn so far.

    ``ended_for_abuse`` when the last turn ends the call for abuse and an earlier
    turn (or an earlier sentence of the same one is not enough: the caller must
    have had a chance to stop) warned about it; ``ended_by_agent`` otherwise.
    The simulator calls this where it sets ``ended_by_agent``.
    """
    if not agent_signals or ENDS_FOR_ABUSE not in agent_signals[-1]:
        return "ended_by_agent"
    warned = any(WARNS in turn for turn in agent_signals[:-1])
    return "ended_for_abuse" if warned else "ended_by_agent"


def ended_before_agent_could_close(outcome: str | None, last_speaker: str | None) -> str | None:
    """Why the call's closing moment never came for the trainee, or None when it did.

    The caller hanging up, an abuse-policy ending, a transfer or no activity end the
    call before any closing; a resolved call ends before it when the caller's
    satisfied line was the last turn (no agent turn after it).
    """
    if outcome in ("hung_up", "ended_for_abuse", "escalated", "abandoned"):
        return _ENDING_NOTES[outcome]
    if outcome == "resolved" and last_speaker == "customer":
        return _ENDING_NOTES["resolved"]
    return None


_ENDING_NOTES: dict[str, str] = {
    "hung_up": "the caller hung up before you could close the call",
    "ended_for_abuse": "you ended the call under the abuse policy, so there was nothing to close",
    "escalated": "the call was transferred to a supervisor, who closes it",
    "abandoned": "the call was abandoned before it got that far",
    "resolved": "the caller was satisfied and the call ended before your next turn",
}
