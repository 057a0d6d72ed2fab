"""Kinds of detail about what happened: the parcel's contents, an amount, an earlier call,
the retailer, the device, a date (with the event words a caller's day is talked about
by), a plan, software, how many, where, what went wrong."""

from __future__ import annotations

import re

from trainer.details.kind import FLAGS, DetailKind, compiled
from trainer.details.shapes import ALREADY, AMOUNT, COUNT, DATE, PLACE

CIRCUMSTANCE_KINDS: tuple[DetailKind, ...] = (
    DetailKind(
        "contents",
        r"\bcontents?\b|\bitems?\b",
        describes=(
            r"\bwhat('s| is| was| were) (in|inside) (it|the (parcel|box|package|delivery))\b",
            r"\bwhat (did|have) you (order|buy|bought|ordered)\b",
            r"\bwhat (you|u) (ordered|bought|were expecting)\b",
            r"\bwhat (was|were|is|are) (you|u) expecting\b",
            r"\bwhat('s| is| was) the (item|parcel|package|order)\b(?! (number|no|ref))",
            r"\bwhat the (item|parcel|package|thing)s? (was|were|is)\b",
            r"\b(thing|stuff|what)( that)? (was|were) in (there|it)\b",
            r"\b(pricey|expensive|valuable)\b",
            r"\bcontain(s|ed)?\b|\binside\b|\bthe items?\b",
            r"\bwhat (was|is) it( that)? (you|u)\b",
            r"\bworth\b|\bhow much (was|is) it\b",
            r"\b(have|had|has) in (it|them)\b|\bwhat (was|is) it\W*$",
            r"\bwhat (kind|sort|type) of (thing|item|parcel|package|delivery|order)\b",
            r"\bwhat (were|was) you waiting (for|on)\b|\bshould('ve| have) been in\b",
            r"\bwhat\b.*\b(missing|didn't (arrive|come|turn up)|never (arrived|came|turned up))\b",
        ),
    ),
    DetailKind(
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
            r"\b(trying|try|tried) to (pay|buy|send|transfer|make)\b|\b(paying|pay) (for|to)\b",
            r"\bwhat (was|were) (declined|blocked|stopped|flagged)\b",
        ),
        asked=re.compile(
            r"\bhow much\b|\b(the|that) (amount|sum|figure)\b"
            r"|\b(what|which) (excess|fee|charge|amount|price|cost|payment)\b",
            FLAGS,
        ),
        given=re.compile(AMOUNT, FLAGS),
        question=True,
    ),
    DetailKind(
        "previous_call",
        r"\b(previous|last|earlier) call\b",
        describes=(
            r"\bwhen did you (last )?(call|ring|phone|speak)\b",
            r"\bwhen (it )?(was )?(it )?(that )?you (last )?(called|rang|phoned|spoke)\b",
            r"\bwho (did you|you) (speak|talk|spoke)\w* (to|with)\b",
            r"\b(called|rang|phoned|contacted us) before\b",
        ),
    ),
    DetailKind(
        "retailer",
        r"\bretailer\b|\bshop\b|\bstore\b|\bseller\b|\bmerchant\b",
        describes=(
            r"\b(where|who|which \w+) (did |have )?(you|u) (order|buy|bought|get|got|purchase)",
            r"\b(ordered|bought|purchased|order|buy|get|got) (it |this |that |them )?"
            r"(from|through|off|via|with)\b",
            r"\bwhose (website|site|shop|store|app)\b|\bwho('d| did) (you|u) (buy|order|get)\b",
            r"\b(order|it) (was )?(placed|made)\b|\bseller\b|\border (it|them) on\b",
            r"\bwhen (did|was) (you|u|it) (order|buy|bought|ordered|purchase)",
            r"\b(what|which) (shop|store|retailer|website|site|company|seller|online shop)\b",
            r"\bwho('s| is| was) the (retailer|seller|sender|shop|merchant|store)\b",
            r"\bwho('s| is| was) (it|the parcel|the order|the delivery) (coming |sent )?"
            r"(from|with)\b",
            r"\bwhere('s| is| was) (it|the parcel|the order) (from|bought|ordered)\b",
            r"\bwho sent (it|the parcel)\b|\border (details|date)\b",
            r"\b(place|placed|make|made) the order\b",
        ),
    ),
    DetailKind(
        "model",
        r"\bmodel\b|\bproduct\b|\bdevice\b",
        names=(r"\bmodel\b",),
        describes=(
            r"\b(which|what) (\w+ )?(device|product|system|router|unit|kit|model|version|pack"
            r"|bundle|package)\b",
            r"\bwhat('s| is) (it|the (system|device|product|unit|kit|router)) called\b",
            r"\b(name|make) (printed |written )?(on|of) (the|your) (box|system|device|product"
            r"|unit|router|kit)\b|\bexact name\b|\b(system|device|product|router) name\b",
        ),
        asked=re.compile(
            r"\b(make|model|version)\b|\b(which|what) (phone|laptop|router|printer|device"
            r"|handset|car)\b",
            FLAGS,
        ),
        given=re.compile(
            r"(?=.*\b(model|version|iphone|samsung|galaxy|pixel|dell|hp|lenovo|asus|acer"
            r"|windows|macos|ios"
            r"|android|router|hub|printer|laptop|phone|ford|toyota|honda|vw|bmw|nissan)\b)"
            r".*?(?P<v>\b[a-z]*\d+[a-z]*\b)",
            FLAGS,
        ),
    ),
    DetailKind(
        "when",
        r"\bdates?\b|\bday\b|\bwhen\b",
        asked=re.compile(
            r"(?<!about )\bwhen(?:'s|\s+(did|was|were|is|does|do|has|had|have|are|exactly"
            r"|roughly|abouts)\b)"
            r"|\bwhat (day|date|time)\b|\bwhich (day|date)\b"
            r"|\bhow long ago\b|\bwhat time\b",
            FLAGS,
        ),
        given=re.compile(DATE, FLAGS),
        question=True,
    ),
    *(
        DetailKind(
            name, asked=re.compile(asked, FLAGS), given=re.compile(given, FLAGS), question=True
        )
        for name, asked, given in (
            (
                "plan",
                r"\b(plan|tariff|package|bundle|(kind|type|sort) of (policy|cover|account))\b",
                r"\b(?!(my|the|a|an|your|ur|this|that|our|new|current|which|what|any|same|old"
                r"|of)\b)[a-z0-9]+ (plan|tariff|package|bundle|policy|cover)\b",
            ),
            (
                "software",
                r"\b(operating system|browser|\bos\b|version of (windows|ios|android|mac))",
                r"\b(windows|mac ?os|macos|ios|android|linux|chrome|safari|firefox|edge"
                r"|chromebook)\b",
            ),
            ("how_many", r"\bhow many\b", COUNT),
            ("where", r"\bwhere\b(?! (can|do) (i|we) )", PLACE),
        )
    ),
    DetailKind(
        "what_happened",
        asked=re.compile(
            r"\bwhat('s| is| seems to be| was)( been)? (the )?(problem|issue|matter|wrong)\b"
            r"|\bwhat (seems to be|is|was) (the|your) (problem|issue)\b|\bwhat happened\b"
            r"|\bwhat('s| is| has been) (been )?(happening|going on)\b|\bwalk me through\b"
            r"|\b(problem|issue) (is|was)\b.*\?|\bexplain\b",
            FLAGS,
        ),
        given=re.compile(rf"(?=.*({ALREADY}))(?=(\W*\w+){{5}})", FLAGS),
    ),
)
"""The circumstance kinds, in the caller side's order of precedence."""

_EVENT_WORDS = {  # an event date's other name words, as a caller's day is talked about
    "moving": r"mov\w*|keys|leav\w*|complet\w*",
    "move": r"mov\w*|keys|leav\w*|complet\w*",
    "travel": r"travel\w*|trip|fly|flew|flight|abroad|away|holiday|(get|got|came|come) back"
    r"|were (you )?in|(you|u) went",
    "trip": r"travel\w*|trip|fly|flew|flight|abroad|away|holiday|get back|got back",
    "delivery": r"deliver\w*|arriv\w*|came|turn(ed)? up",
    "arrival": r"deliver\w*|arriv\w*|came|turn(ed)? up",
}
DATE_REQUEST = re.compile(
    r"\b(when|what dates?|which dates?|what days?|which days?|the dates?|what time)\b"
    r"|\bbig day\b",
    re.IGNORECASE,
)
"""Words that ask for a day; with the event's words ("when are you moving?") they ask
for that event's date."""


def event_pattern(name: str) -> re.Pattern[str] | None:
    """The event of a ``when`` fact ("moving date" -> moving, keys, leaving ...)."""
    words = [w for w in re.findall(r"[a-z]+", name.lower()) if w not in ("date", "dates", "day")]
    forms = [_EVENT_WORDS.get(w, re.escape(w)) for w in words]
    return compiled(rf"\b({'|'.join(forms)})\b") if forms else None
