"""Whether the call is an emergency: when safety comes before the script.

A QA lead marks a gas-leak line, a pet that swallowed something, a family stranded on the
hard shoulder by how fast the caller was made safe and help sent, not by whether the agent
restated the problem, explored its impact, apologised or asked "anything else?". The scorer
derives ``emergency_call`` when either side describes such a danger; the rubric's criteria
of rapport and wrap-up name it in ``applies_when: {unless_signal: emergency_call}``, and are
then not applicable unless the agent did them anyway (``rules.evaluate_criterion``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from trainer.scoring.call_view import Hit, topic_hit

EMERGENCY = "emergency_call"
EMERGENCY_NOTE = "an emergency call: making the caller safe came first, so this was not expected"
"""Why the rapport and wrap-up criteria are not applicable on such a call."""
_DANGER = re.compile(
    r"\b(smell(s|ing)? (of )?gas|gas (leak|escape)|carbon monoxide|co alarm"
    r"|(house|kitchen|flat|car|van|building) (is )?on fire|there'?s (a )?fire|fire brigade"
    r"|burst (pipe|main|water main)|water (is )?(pouring|gushing) (in|through|out|down)"
    r"|sparking|electric shock|not breathing|unconscious|chest pains?|bleeding (heavily|badly)"
    r"|overdose|poison(ed|ing)"
    r"|(dog|cat|puppy|kitten)('s| has)? (eaten|swallowed|got into)|(he|she)('s| has)? swallowed"
    r"|(call|ring|dial|phone) (999|911|112|000|triple zero)"
    r"|hard shoulder|broken down on the (motorway|highway|freeway)"
    r"|(call(ing)?|ring(ing)?|phon(e|ing)|get(ting)?|send(ing)?|dispatch(ed|ing)?) (for )?(an? )?"
    r"ambulance|ambulance('s| is) (on (its|the) way|coming|booked)"
    r"|(i'?ve|he'?s|she'?s|i have|he has|she has) had a fall"
    r"|(fallen|gone over)\b[^?]{0,60}\bcan'?t get (up|back up)|on the floor and can'?t get up)\b",
    re.IGNORECASE,
)


def emergency_hit(speakers: Sequence[str], texts: Sequence[str]) -> Hit | None:
    """``emergency_call`` when either side describes a danger, on the first agent sentence
    that does, else on the agent's first sentence (like ``account_discussed``)."""
    return topic_hit(EMERGENCY, _DANGER, speakers, texts)
