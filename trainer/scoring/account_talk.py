"""Whether the call is about the caller's account: when a security check is owed.

A QA lead expects the caller verified before an account is discussed or changed, not on a
gas-leak line or a burst main where the address is all that is needed. The scorer derives
``account_discussed`` when either side talks about an account, a bill, a payment, an order,
a policy or the like; "Verifies identity" applies only then.

A caller who came through a logged-in chat or an app is verified already: the agent's first
turn sees their order or account before the caller gave any detail ("Hi, I'm Karan, I can see
your order from Golden Wok tonight"), or greets them by a name they never gave ("Hello Tom,
welcome to Japan!"). ``preverified_hit`` reads that turn as the check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from trainer.scoring.call_view import Hit, topic_hit
from trainer.scoring.given_details import OWN_NAME
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
    r" ([\w-]+ ){0,3}(order|account|booking|policy|claim|subscription|delivery|reservation"
    r"|membership|application|parcel|plan)\b",
    re.IGNORECASE,
)
_A_DETAIL = re.compile(r"\d{4}|[a-z]{1,3}[ -]?\d{3}|\d{3}[ -]?[a-z]|@", re.IGNORECASE)
"""A number, reference or e-mail the agent could have looked the caller up by ("10gb" is not)."""
_BY_NAME = re.compile(
    r"^\W*(hi|hello|hey|hiya|good (morning|afternoon|evening)|morning|thanks|thank you)[,!]? "
    r"(?-i:(?!(There|Again|Sir|Madam|Team|All|Everyone|Folks)\b)(?P<name>[A-Z][a-z]+))"
    r"(?=\s*([!.?]|$|,(?!\s*(i'm|i am|this is|my name|you're|you are|speaking|here)\b)))",
    re.IGNORECASE,
)
"""The agent's first words greet the caller by a name ("Hello Tom, welcome to Japan!"), not
a company ("Hello, Pacific Union Bank, ..."; "Hi, Dashly, I'm Chloe!")."""


_READS_ITS_NUMBER = re.compile(
    r"^(?!.*\b(raised|created|logged|opened|new|reference is|ref is|ticket|case|claim number is)\b)"
    r".*\b(order|booking|account|policy|reservation|membership|subscription)( number| no\.?| ref)?"
    r":? (?-i:[A-Z]{0,4}-?\d{4,}[A-Z0-9-]*)\b",
    re.IGNORECASE,
)
"""The agent reads out the caller's order by its number ("Got it, order BW-20931, ..."), not a
reference it has just made ("I've raised ticket TK-44821")."""


def preverified_hit(speakers: Sequence[str], texts: Sequence[str]) -> Hit | None:
    """``asks_verification`` when the agent already sees the caller's order or account before
    the caller gave any number, reference or e-mail (a logged-in chat, an app, a call verified
    in the phone menu): its first turn says so, greets them by a name they never gave, or one
    of its first two turns reads the order out by a number the caller never typed."""
    agent_turns = 0
    for turn, (speaker, text) in enumerate(zip(speakers, texts, strict=True)):
        if speaker != "agent":
            if _A_DETAIL.search(text or ""):
                return None  # the agent found it from what the caller gave: a lookup
            continue
        agent_turns += 1
        sentences = split_sentences(text or "")
        sentence = None
        if agent_turns == 1:
            sentence = next((s for s in sentences if _SEES_ACCOUNT.search(s)), None)
            named = _BY_NAME.search(text or "")
            if sentence is None and named and not _said_before(named["name"], texts[:turn]):
                sentence = sentences[0]  # a name the caller never said: the channel knew them
        said = [
            t or "" for t, who in zip(texts[:turn], speakers[:turn], strict=True) if who != "agent"
        ]
        if sentence is None and not any(OWN_NAME.search(t) for t in said):
            # the order read out by a number the caller never typed, nor a name to find it by
            sentence = next((s for s in sentences if _READS_ITS_NUMBER.search(s)), None)
        if sentence is not None:
            return Hit(turn, "agent", "asks_verification", sentence, 1.0)
        if agent_turns == 2:
            return None
    return None


def _said_before(name: str, texts: Sequence[str]) -> bool:
    return any(re.search(rf"\b{re.escape(name)}\b", t or "", re.IGNORECASE) for t in texts)


_REF_GAP = re.compile(
    r"(?<=[A-Za-z0-9])[-/ ](?=[0-9])|(?<=[0-9])[-/ ](?=[A-Za-z0-9])|(?<=\b[A-Z])[-/ ](?=[A-Z]\b)"
)
"""A space, dash or slash inside a reference as said ("H-F-7-7-2-3-0-9", "HF 7723 09")."""
_GIVES_ID = re.compile(r"\b(?=(?:[A-Za-z]*[0-9]){4})[A-Za-z0-9]+\b")
"""A reference with four digits or more, once its gaps are closed."""


def volunteered_hit(speakers: Sequence[str], texts: Sequence[str]) -> Hit | None:
    """``asks_verification`` on the agent's reply when the caller, before the agent asked
    anything, gave both a reference (booking, order, account number) and their name, and the
    agent took them as the check ("Thanks, Mrs Fraser - ..."): what a security question would
    have asked for came unasked."""
    agent_turns = 0
    for turn, (speaker, text) in enumerate(zip(speakers, texts, strict=True)):
        if speaker == "agent":
            agent_turns += 1
            if agent_turns > 1 and "?" in (text or ""):
                return None  # the agent asked something first: its own check or none
            continue
        text = text or ""
        if not (_GIVES_ID.search(_REF_GAP.sub("", text)) and OWN_NAME.search(text)):
            continue
        reply = next((i for i in range(turn + 1, len(speakers)) if speakers[i] == "agent"), None)
        if reply is None:
            return None
        sentences = split_sentences(texts[reply] or "")
        return Hit(reply, "agent", "asks_verification", sentences[0], 1.0) if sentences else None
    return None
