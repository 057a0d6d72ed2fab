"""Whether the call is about the caller's account: when a security check is owed.

A QA lead expects the caller verified before an account is discussed or changed, not on a
gas-leak line or a burst main where the address is all that is needed. The scorer derives
``account_discussed`` when either side talks about an account, a bill, a payment, an order,
a policy or the like; "Verifies identity" applies only then.

A caller who came through a logged-in chat or an app is verified already: the agent's first
turn sees their order or account before the caller gave any detail ("Hi, I'm Karan, I can see
your order from Golden Wok tonight"). ``preverified_hit`` reads that turn as the check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from trainer.scoring.call_view import Hit, topic_hit
from trainer.scoring.sentences import split_sentences

ACCOUNT = "account_discussed"
NOT_DISCUSSED = "no account was discussed or changed on this call"
"""Why "Verifies identity" is not applicable without it."""
_ACCOUNT_WORDS = re.compile(
    r"\b(accounts?|acct|bills?|billing|billed|payments?|paid|pay|direct debit|card|refund(ed|s)?"
    r"|charge[ds]?|balance|polic(y|ies)|claims?|orders?|booking|booked on|subscriptions?"
    r"|membership|contract|plan|tariff|invoices?|statements?|loan|mortgage|deductions?"
    r"|premiums?|credit|debit|transactions?|cancel\w*|renewal|arrears|meter reading)\b",
    re.IGNORECASE,
)


def account_hit(speakers: Sequence[str], texts: Sequence[str]) -> Hit | None:
    """``account_discussed`` when any turn talks about an account (the caller's "will my bill
    go up?" too), on the first agent sentence that does, else the agent's first sentence."""
    return topic_hit(ACCOUNT, _ACCOUNT_WORDS, speakers, texts)


_SEES_ACCOUNT = re.compile(
    r"\b(i can see|i see|i've got|i have|i've (pulled|brought) up|i'm looking at)( that)? your"
    r" (\w+ )?(order|account|booking|policy|claim|subscription|delivery|reservation|membership"
    r"|application|parcel|plan)\b",
    re.IGNORECASE,
)
_A_DETAIL = re.compile(r"\d|@")


def preverified_hit(speakers: Sequence[str], texts: Sequence[str]) -> Hit | None:
    """``asks_verification`` on the agent's first turn when it already sees the caller's order
    or account and the caller had given no number, reference or e-mail before it (a logged-in
    chat, an app, a call verified in the phone menu)."""
    for turn, (speaker, text) in enumerate(zip(speakers, texts, strict=True)):
        if speaker != "agent":
            if _A_DETAIL.search(text or ""):
                return None  # the agent found it from what the caller gave: a lookup
            continue
        sentence = next((s for s in split_sentences(text or "") if _SEES_ACCOUNT.search(s)), None)
        return None if sentence is None else Hit(turn, "agent", "asks_verification", sentence, 1.0)
    return None
