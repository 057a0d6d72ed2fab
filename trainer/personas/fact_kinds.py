"""Kinds of caller detail and how agents ask for them without saying the fact's name.

One small table shared by every persona. A fact's *kind* comes from its name ("account
number" is an ``account``, "moving date" an ``event_date``); a kind lists

- ``names``: other names agents use for it ("customer ID", "zip", "landline");
- ``describes``: descriptions that ask for it ("the long number at the top of your bill",
  "the date you were born", "the code on the back of the router");
- ``near``: where it is written, so that "can you read me the number on it?" after "have
  you got the receipt?" asks for the order number;
- ``serves``: other kinds it answers for (by their names and descriptions) when the
  persona has none of those (a parcel caller asked for the "order number" gives the
  tracking number; one with no address fact, asked where it was delivered, the postcode).

Patterns here are looked for only in sentences that ask (``caller.asking_sentences``); a
persona's own ``asked_by`` and the words of the fact's name still count first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

_NUMBER = r"(?:number|no|num|#|id|ref\w*|code)"


@dataclass(frozen=True)
class Kind:
    """One kind of detail: which fact names it covers and how it is asked for."""

    id: str
    fact: str
    names: tuple[str, ...] = ()
    describes: tuple[str, ...] = ()
    near: tuple[str, ...] = ()
    serves: tuple[str, ...] = ()


KINDS: tuple[Kind, ...] = (  # first kind whose ``fact`` matches the fact's name wins
    Kind(
        "birth_date",
        r"\bbirth|\bdob\b|\bbirthday\b",
        names=(r"\bd\.?o\.?b\b", r"\bbirth\s*(day|date)\b", r"\bdate of birth\b"),
        describes=(r"\bborn\b", r"\bdate (that )?you were born\b"),
    ),
    Kind(
        "postcode",
        r"\bpost\s*code\b|\bzip\b|\bpostal\b",
        names=(r"\bpost\s*code\b", r"\bpostal\s+code\b", r"\bzip( code)?\b", r"\beircode\b"),
        describes=(
            r"\bcode (for|of|at) (your|the) (address|house|home|street|area|property|flat)\b",
            r"\b(letters|code|bit) at the end of (your|the) address\b",
        ),
        serves=("address",),
    ),
    Kind(
        "email",
        r"\be-?mail\b",
        names=(r"\be-?mail\b",),
        describes=(r"\baddress (we|i) can (e-?mail|send)\b",),
    ),
    Kind(
        "address",
        r"\baddress\b",
        names=(r"(?<!e-mail )(?<!email )\baddress\b", r"\baddy\b"),
        describes=(
            r"\bwhere (are|were) you moving\b",
            r"\bhouse number and street\b",
            r"\bwhere (was|is|were) (it|the parcel|the order)( \w+){0,3} "
            r"(delivered|going|sent|left|dropped)\b",
        ),
    ),
    Kind(
        "phone",
        r"\bphone\b|\bmobile\b|\blandline\b|\btelephone\b|\bcell\b|\bcontact number\b",
        names=(
            r"\b(tele)?phone (number|no|num)\b",
            r"\b(mobile|cell|cellphone|cp|landline|home) (number|no|num|#)\b",
            r"\b(your|ur) (cell|cellphone|cell phone)\b",
            r"\bcontact (number|no)\b",
        ),
        describes=(
            r"\b(which|what) number('s| is)? (this|it|that|the account|your account)"
            r"( is| was)? (on|under)\b",
            r"\bbest number\b|\b(your|ur) (phone )?(number|no)\b(?! (is|was))",
            r"\bnumber (linked|registered|attached|associated|tied) (to|with|on)\b",
            r"\bnumber (the|your) account('s| is)? (registered|linked|set up) (to|with|on|under)\b",
            r"\b(phone|mobile|cell)\b.*\b(linked|registered|on file|on record|attached)\b",
            r"\bnumber (on file|on record|we have)\b|\b(call ?back|callback) (number|no)\b",
            r"\bnumber (can|should|could) (we|i) (reach|call|ring|text|contact)\b",
            r"\bin case (we|the call|the line) (get |gets )?(cut off|drop)",
            r"\bnumber (we|you) (sent|got|get|receive)\w* the (otp|code|text|sms)\b",
            r"\bnumber (we|i) can (reach|call|ring|text|contact|get) you\b",
            r"\bnumber (are )?you('re| are)? (calling|ringing|phoning) (from|on)\b",
            r"\bnumber (we|i) (should|can) (call|ring|text)\b",
        ),
    ),
    Kind(
        "policy",
        r"\bpolicy\b",
        names=(rf"\bpolicy {_NUMBER}\b",),
        describes=(
            rf"\b{_NUMBER} (on|from|at the top of) (your|the) (policy|schedule|certificate)",
        ),
        near=(r"\b(policy|schedule|certificate|renewal|insurance documents?)\b",),
        serves=("account",),
    ),
    Kind(
        "claim",
        r"\bclaim\b",
        names=(rf"\bclaim {_NUMBER}\b",),
        near=(r"\bclaim\b",),
        serves=("reference",),
    ),
    Kind(
        "contents",
        r"\bcontents?\b|\bitems?\b",
        describes=(
            r"\bwhat('s| is| was| were) (in|inside) (it|the (parcel|box|package|delivery))\b",
            r"\bwhat (did|have) you (order|buy|bought|ordered)\b",
            r"\bwhat (you|u) (ordered|bought|were expecting)\b",
            r"\bwhat (was|were|is|are) (you|u) expecting\b",
            r"\bwhat('s| is| was) the (item|parcel|package|order)\b(?! (number|no|ref))",
            r"\bcontain(s|ed)?\b|\binside\b|\bthe items?\b",
            r"\bwhat (was|is) it( that)? (you|u)\b",
            r"\bworth\b|\bhow much (was|is) it\b",
            r"\b(have|had|has) in (it|them)\b|\bwhat (was|is) it\W*$",
            r"\bwhat (kind|sort|type) of (thing|item|parcel|package|delivery|order)\b",
            r"\bwhat (were|was) you waiting (for|on)\b|\bshould('ve| have) been in\b",
            r"\bwhat\b.*\b(missing|didn't (arrive|come|turn up)|never (arrived|came|turned up))\b",
        ),
    ),
    Kind(
        "tracking",
        r"\btracking\b|\bconsignment\b|\bparcel\b|\bshipment\b",
        names=(
            r"\btracking\b",
            r"\bconsignment\b",
            rf"\b(parcel|delivery|shipping|shipment) {_NUMBER}\b",
        ),
        near=(r"\b(dispatch|shipping|delivery|courier|parcel|tracking) (e-?mail|text|note)\b",),
        serves=("order", "reference"),
    ),
    Kind(
        "order",
        r"\border\b",
        names=(rf"\border {_NUMBER}\b",),
        describes=(rf"\b{_NUMBER} (on|from) (your|the) (receipt|invoice|order)\b",),
        near=(r"\b(receipt|invoice|order confirmation|order e-?mail|purchase)\b",),
    ),
    Kind(
        "card",
        r"\bcard\b",
        names=(
            r"\bcard (number|no|digits)\b",
            r"\blast (four|4)( digits)?\b",
            r"\b(number|digits) on (your|the) card\b",
            r"\bcard\b.*\bend(s|ing)?\b",
        ),
        near=(r"\bcard\b",),
    ),
    Kind(
        "serial",
        r"\bserial\b|\bs/n\b",
        names=(r"\bserial\b", r"\bs/?n\b"),
        describes=(
            r"\b(sticker|label|barcode)\b",
            rf"\b{_NUMBER} (on|under|off|at) the (back|bottom|base|underside) of\b",
            rf"\b(long )?{_NUMBER} on the (router|unit|hub|device|box|base unit|main unit)\b",
        ),
        near=(r"\b(sticker|label|barcode|underneath|underside)\b", r"\b(back|bottom|base) of\b"),
    ),
    Kind(
        "confirmation",
        r"\bconfirmation\b",
        names=(rf"\bconfirmation {_NUMBER}\b",),
        near=(r"\b(text|sms|message|confirmation)\b",),
    ),
    Kind(
        "reference",
        r"\breference\b|\bref\b|\bcase\b|\bticket\b",
        names=(r"\breference\b", r"\bref\b", rf"\bcase {_NUMBER}\b", r"\bticket\b"),
        near=(
            r"\b(last|previous|earlier|other) (call|time|agent)\b",
            r"\bwhen you (rang|called)\b",
        ),
        serves=("claim",),
    ),
    Kind(
        "account",
        r"\baccount\b|\bcustomer (number|id)\b",
        names=(rf"\b(account|acct|a/c) {_NUMBER}\b", rf"\bcustomer {_NUMBER}\b"),
        describes=(
            r"\bnumber (at|on) the top of (your|the)\b",
            r"\bnumber on (your|the) (bill|letter|statement)\b",
            r"\bnumber (near|in|at) the (top|corner)\b",
            r"\b(number|reference) (printed )?on (your|the|that) (bill|letter|statement)\b",
        ),
        near=(r"\b(bill|letter|statement)\b",),
    ),
    Kind(
        "amount",
        r"\bamount\b|\bpayment\b|\bbill\b|\bcost\b|\bprice\b|\bcharges?\b|\btotal\b|\bfee\b",
        names=(r"\bamount\b", r"\btotal\b"),
        describes=(
            r"\bhow much\b",
            r"\bcome to\b",
            r"\bcharged\b",
            r"\bwhat (did|do|have) (you|they) (end up |usually |normally )?"
            r"(pay|paying|paid|send)\b",
            r"\bwhat (were|was|are) (you|u) (trying to )?(pay|paying|send|sending|transfer\w*)\b",
            r"\b(the|that|this) (transfer|transaction|purchase|debit)\b",
            r"\bwho (was|is|were) (it|the payment|the transfer|you paying)( going)? (to|for)\b",
            r"\bwhat (was|is) (it|the payment|the transfer) for\b",
            r"\b(recipient|payee|beneficiary)\b|\bhow much (was|is) it\b",
            r"\btrying to (pay|buy|send|transfer|make)\b|\b(paying|pay) (for|to)\b",
            r"\bwhat (was|were) (declined|blocked|stopped|flagged)\b",
        ),
    ),
    Kind(
        "previous_call",
        r"\b(previous|last|earlier) call\b",
        describes=(
            r"\bwhen did you (last )?(call|ring|phone|speak)\b",
            r"\bwho (did you|you) (speak|talk|spoke)\w* (to|with)\b",
            r"\b(called|rang|phoned|contacted us) before\b",
        ),
    ),
    Kind(
        "retailer",
        r"\bretailer\b|\bshop\b|\bstore\b|\bseller\b|\bmerchant\b",
        describes=(
            r"\b(where|who|which \w+) (did |have )?(you|u) (order|buy|bought|get|got|purchase)",
            r"\b(ordered|bought|purchased|order|buy) (it |this |that |them )?from\b",
            r"\bwhen (did|was) (you|u|it) (order|buy|bought|ordered|purchase)",
            r"\b(what|which) (shop|store|retailer|website|site|company|seller|online shop)\b",
            r"\bwho('s| is| was) the (retailer|seller|sender|shop|merchant|store)\b",
            r"\bwho('s| is| was) (it|the parcel|the order|the delivery) (from|with)\b",
            r"\bwhere('s| is| was) (it|the parcel|the order) (from|bought|ordered)\b",
            r"\bwho sent (it|the parcel)\b|\border (details|date)\b",
            r"\b(place|placed|make|made) the order\b",
        ),
    ),
    Kind(
        "model",
        r"\bmodel\b|\bproduct\b|\bdevice\b",
        names=(r"\bmodel\b",),
        describes=(r"\bwhich (\w+ )?(device|product|system|router|unit|kit|model|version)\b",),
    ),
    Kind("event_date", r"\bdates?\b|\bday\b|\bwhen\b"),
)

_EVENT_WORDS = {  # an event date's other name words, as a caller's day is talked about
    "moving": r"mov\w*|keys|leav\w*|complet\w*",
    "move": r"mov\w*|keys|leav\w*|complet\w*",
    "travel": r"travel\w*|trip|fly|flew|flight|abroad|away|holiday|get back|got back|were you in",
    "trip": r"travel\w*|trip|fly|flew|flight|abroad|away|holiday|get back|got back",
    "delivery": r"deliver\w*|arriv\w*|came|turn(ed)? up",
    "arrival": r"deliver\w*|arriv\w*|came|turn(ed)? up",
}
DATE_REQUEST = re.compile(
    r"\b(when|what date|which date|what day|which day|the date|what time)\b|\bbig day\b",
    re.IGNORECASE,
)
"""Words that ask for a day; with the event's words ("when are you moving?") they ask
for that event's date."""
GENERIC_REQUEST = re.compile(
    r"\b(the|that|this|a|any|some) (long |big |whole |full |reference )?(number|code|digits|ref)\b"
    r"|\bwhat (does|did) (it|that) say\b|\bread (it|that|them) (out|off|to me)\b",
    re.IGNORECASE,
)
"""A request for "the number" or "the code" that does not say which."""


def kind_of(name: str) -> Kind | None:
    """The kind of a fact, from its name; None for a detail no kind covers."""
    return next((k for k in KINDS if re.search(k.fact, name, re.IGNORECASE)), None)


@cache
def compiled(pattern: str) -> re.Pattern[str]:
    """A table pattern, compiled once (case-insensitive)."""
    return re.compile(pattern, re.IGNORECASE)


def event_pattern(name: str) -> re.Pattern[str] | None:
    """The event of an ``event_date`` fact ("moving date" -> moving, keys, leaving ...)."""
    words = [w for w in re.findall(r"[a-z]+", name.lower()) if w not in ("date", "dates", "day")]
    forms = [_EVENT_WORDS.get(w, re.escape(w)) for w in words]
    return compiled(rf"\b({'|'.join(forms)})\b") if forms else None
