"""Call avoidance: the agent ended the call while the caller was still talking.

A QA lead fails a call the agent disconnects on a caller who is not abusive and still
needs something, however good the rest was. The scorer derives ``cuts_off_caller`` on
the agent's last turn when the call ended by the agent (``ended_by_agent``: not under
the abuse policy, which ``ended_for_abuse`` covers) and the caller spoke after it still
needing something: a question, a protest, a line broken off ("Wait, it's one question-",
"Hello? Hello?", "hang on"), or an upset line; not thanks or goodbye, and not a plain
"Alright, I'll look out for the email." In practice: the trainee pressed End call on a
caller's unanswered question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from trainer.scoring.call_view import Hit
from trainer.scoring.sentences import split_sentences

CUT_OFF = "cuts_off_caller"
_PARTING = re.compile(
    r"\b(thanks|thank you|thank u|thx|ta|cheers|bye|goodbye|bye-bye|take care|appreciate it"
    r"|that'?s (all|it|great|fine|brilliant|perfect|everything))\b",
    re.IGNORECASE,
)
_OPEN = re.compile(r"\?|[-\u2013\u2014]\s*$|\.\.\.\s*$|\u2026\s*$|\b(wait|hold on|hang on|hello)\b",
                   re.IGNORECASE)  # fmt: skip


def cut_off(speakers: Sequence[str], texts: Sequence[str], outcome: str | None,
            hits: Sequence[Hit]) -> Hit | None:  # fmt: skip
    """The ``cuts_off_caller`` hit on the agent's last turn, or None."""
    if outcome != "ended_by_agent" or "agent" not in speakers:
        return None
    last = max(i for i, s in enumerate(speakers) if s == "agent")
    after = [texts[i] for i in range(last + 1, len(speakers)) if speakers[i] == "customer"]
    said = " ".join(t for t in after if t and t.strip())
    upset = any(h.turn > last and h.signal in ("upset", "demands_supervisor") for h in hits)
    if not said or _PARTING.search(said) or not (upset or any(_OPEN.search(t) for t in after)):
        return None
    if any(h.turn > last and h.signal in ("thanks", "curses", "insults_agent") for h in hits):
        return None
    sentences = split_sentences(texts[last]) or [texts[last]]
    return Hit(last, "agent", CUT_OFF, sentences[-1], 1.0)
