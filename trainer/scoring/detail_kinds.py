"""The kinds of detail a caller gives and an agent asks for: account / policy / order
number, postcode, date of birth, name, phone, e-mail, amount, date, ... (``DETAIL_KINDS``).

Each kind is a pair of regular expressions: how an agent's sentence names a request for
it, and how a customer's line gives a value of it (an id with digits, a postcode's shape,
an e-mail address, a date). Read by :mod:`trainer.scoring.given_details`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DETAIL_KINDS", "HAS_ID", "ID", "DetailKind"]

_FLAGS = re.IGNORECASE
ID = r"(?=[a-z0-9/-]*\d)[a-z0-9][a-z0-9/-]{2,}"
"""An id-shaped token: at least three characters, one of them a digit (5521-7788, QF7T2K)."""
HAS_ID = re.compile(rf"(?<![\w@.]){ID}(?![\w@])", _FLAGS)
_DATE = (
    r"\b(mon|tues?|wed(nes)?|thu(rs)?|fri|sat(ur)?|sun)(day)?s?\b|\byesterday\b|\btoday\b"
    r"|\btonight\b|\bthis (morning|afternoon|evening|arvo|week)\b|\blast (night|week|month|year"
    r"|\w+day)\b"
    r"|\b\d{1,2}(st|nd|rd|th)\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b"
    r"|\b\d{1,2}[:.]\d{2}\b|\b\d{1,2} ?(am|pm)\b|\bo'?clock\b|\bnoon\b|\bmidnight\b|\bweekend\b"
    r"|\b(days?|weeks?|months?|hours?) ago\b|\barvo\b|\b\d{1,2}/\d{1,2}(/\d{2,4})?\b"
    r"|\b(first|second|third|fourth|fifth|ninth|tenth|twelfth|\w+teenth|twentieth)\b"
)
_AMOUNT = (
    r"[£$€₹]\s?\d|\b\d+(\.\d+)?\s?(pounds?|quid|dollars?|bucks|euros?|rupees?|pesos?|rs)\b"
    r"|\b(rs|inr|php|usd|gbp|aud)\.?\s?\d"
)
_NUMBER = (
    r"\b\d+\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twice"
    r"|a couple|both|a pair|dozen)\b"
)
_PLACE = (
    r"\b(kitchen|bathroom|bedroom|lounge|living room|garden|hallway|loft|attic|garage|cellar"
    r"|basement|upstairs|downstairs|sink|roof|street|road|lane|avenue|drive|store|shop"
    r"|branch|car park|parking lot|station|airport|office|outside|inside)\b"
)
_ALREADY = (
    r"\b(already|just) (told|said|explained|gave|went through|mentioned)\b|\blike i (said|told)\b"
    r"|\bas i (said|told|explained|mentioned)\b"
    r"|\bi('ve| have) (already |just )?(told|said|explained|given|gone through)\b"
)


@dataclass(frozen=True)
class DetailKind:
    """One kind of detail: how an agent asks for it and how a caller gives it."""

    name: str
    asked: re.Pattern[str]
    """The sentence names (or, for questions such as "when", is) a request for it."""
    given: re.Pattern[str]
    """The customer's line gives a value of this kind (with :attr:`needs_id`: names it)."""
    needs_id: bool = False
    """Given only when the line also holds an id-shaped token (digits, a code)."""
    question: bool = False
    """Asked only in a question ("when did it start?", not "call me when it's back")."""


def _noun_kind(
    name: str, nouns: str, *, given: str | None = None, needs_id: bool = True
) -> DetailKind:
    """A detail named by a noun: asked when a request names it, given when the caller's line
    names it (``given``, default the same nouns) next to an id-shaped value."""
    return DetailKind(
        name,
        re.compile(rf"\b({nouns})\b", _FLAGS),
        re.compile(rf"\b({given or nouns})\b", _FLAGS),
        needs_id,
    )


_NO = r"(number|no\b\.?|num|#|id|ref|reference)"
DETAIL_KINDS: tuple[DetailKind, ...] = (
    _noun_kind(
        "account",
        rf"(account|acct|acc|a/c|customer|membership|member|client) ?{_NO}|which account",
        given=r"account|acct|acc|a/c|customer (number|no|id|ref)|membership|member (number|no|id)",
    ),
    _noun_kind("policy", rf"policy ?{_NO}?", given="policy"),
    _noun_kind("order", rf"order ?{_NO}?", given="order"),
    _noun_kind(
        "tracking",
        r"tracking|consignment|waybill|awb|parcel (number|no|id)",
        given="tracking|consignment|waybill|awb|parcel",
    ),
    _noun_kind("claim", rf"claim ?{_NO}", given="claim"),
    _noun_kind(
        "reference",
        rf"(booking|reservation|case|ticket|incident|confirmation|complaint|job) ?{_NO}?"
        rf"|booking ref(erence)?|reference",
        given="booking|reservation|case|ticket|incident|confirmation|complaint|job|ref|reference",
    ),
    _noun_kind("meter", r"meter|mpan|mprn|reading", given="meter|mpan|mprn|reading"),
    _noun_kind(
        "document",
        r"passport|driv(ing|er'?s) licen[cs]e|licen[cs]e (number|key)|national (id|insurance)|ssn"
        r"|social security|aadhaa?r|pan (card|number)",
        given=r"passport|licen[cs]e|national (id|insurance)|ssn|social security|aadhaa?r|pan",
    ),
    _noun_kind("serial", r"imei|serial", given="imei|serial"),
    _noun_kind(
        "card", r"card ?(number|no)|last (four|4)|long number on", given=r"card|last (four|4)"
    ),
    _noun_kind("sort_code", r"sort ?code|routing|ifsc", given=r"sort ?code|routing|ifsc"),
    _noun_kind(
        "registration",
        r"registration|reg( number| no)?|licen[sc]e plate|number plate|plate",
        given=r"registration|reg|plate",
    ),
    _noun_kind("flight", r"flight( number| no)?", given="flight"),
    DetailKind(
        "phone",
        re.compile(
            r"\b(phone|mobile|cell|landline|telephone|contact|callback|tel) ?(number|no\b|num)"
            r"|\bmobile\b|\bnumber (of|for) the line\b|\bnumber of the line\b"
            r"|\b(which|what) number\b|\bnumber to (reach|call|contact)\b",
            _FLAGS,
        ),
        re.compile(
            r"(?=.*\b(phone|mobile|cell|landline|line|tel|my number|number is|number's|call me)\b)"
            r".*(\+?\d[\d -]{8,}\d)|(?<![\w-])(\+|0)\d{2,4}[ -]?\d{3}[ -]?\d{3,4}\b",
            _FLAGS,
        ),
    ),
    DetailKind(
        "email",
        re.compile(r"\be-?mail\b", _FLAGS),
        re.compile(r"\S+@\S+\.\w+|\bat \w+ dot (com|co|net|org)\b", _FLAGS),
    ),
    DetailKind(
        "postcode",
        re.compile(r"\b(post ?code|zip( code)?|postal code|eircode|pin ?code)\b", _FLAGS),
        re.compile(
            r"\b[a-z]\d{2} ?[a-z0-9]{4}\b|\b(post ?code|eircode|zip)( is|'s|:) ?\w+"
            r"|\b[a-z]{1,2}\d[a-z\d]? ?\d[a-z]{2}\b|\b(zip|post ?code|postal code|pin ?code"
            r"|pin)\b\D{0,25}\d{4,6}\b",
            _FLAGS,
        ),
    ),
    DetailKind(
        "birth",
        re.compile(r"\b(date of birth|dob|d\.o\.b|birthday|birth date|born)\b", _FLAGS),
        re.compile(
            rf"\b(born|date of birth|dob|d\.o\.b|birthday|birth date)\b.*({_DATE}|\b\d{{4}}\b)",
            _FLAGS,
        ),
    ),
    DetailKind(
        "name",
        re.compile(
            r"\b(full |first |last |sur)?name\b|\bwho('s| is| am i)( i'?m)? (the |speaking|talking)"
            r"|\bwho'?s? am i (speaking|talking)"
            r"|\baccount ?holder\b",
            _FLAGS,
        ),
        re.compile(
            r"\bname('s| is| was|:)\s+\w+|\b(this is|i'm|im|i am|it's|she's|he's|speaking"
            r"|holder,?|patient,?"
            r"|wife,?|husband,?|son,?|daughter,?|mum,?|mom,?|dad,?|father,?|mother,?|under)\s+"
            r"(?-i:(Mr|Mrs|Ms|Miss|Dr)\.? )?(?-i:[A-Z][a-z]+ [A-Z][a-z'-]+)",
            _FLAGS,
        ),
    ),
    DetailKind(
        "address",
        re.compile(r"(?<!e-mail )(?<!email )\baddress\b", _FLAGS),
        re.compile(
            r"\b\d+[a-z]? \w+ (road|rd|street|st|lane|ln|avenue|ave|close|drive|dr|way|crescent"
            r"|place|court)\b",
            _FLAGS,
        ),
    ),
    DetailKind(
        "model",
        re.compile(
            r"\b(make|model|version)\b|\b(which|what) (phone|laptop|router|printer|device"
            r"|handset|car)\b",
            _FLAGS,
        ),
        re.compile(
            r"(?=.*\b(model|version|iphone|samsung|galaxy|pixel|dell|hp|lenovo|asus|acer"
            r"|windows|macos|ios"
            r"|android|router|hub|printer|laptop|phone|ford|toyota|honda|vw|bmw|nissan)\b)"
            r".*?(?P<v>\b[a-z]*\d+[a-z]*\b)",
            _FLAGS,
        ),
    ),
    DetailKind(
        "plan",
        re.compile(
            r"\b(plan|tariff|package|bundle|(kind|type|sort) of (policy|cover|account))\b", _FLAGS
        ),
        re.compile(
            r"\b(?!(my|the|a|an|your|ur|this|that|our|new|current|which|what|any|same|old"
            r"|of)\b)[a-z0-9]+"
            r" (plan|tariff|package|bundle|policy|cover)\b",
            _FLAGS,
        ),
        question=True,
    ),
    DetailKind(
        "software",
        re.compile(
            r"\b(operating system|browser|\bos\b|version of (windows|ios|android|mac))", _FLAGS
        ),
        re.compile(
            r"\b(windows|mac ?os|macos|ios|android|linux|chrome|safari|firefox|edge|chromebook)\b",
            _FLAGS,
        ),
        question=True,
    ),
    DetailKind(
        "amount",
        re.compile(
            r"\bhow much\b|\b(the|that) (amount|sum|figure)\b"
            r"|\b(what|which) (excess|fee|charge|amount|price|cost|payment)\b",
            _FLAGS,
        ),
        re.compile(_AMOUNT, _FLAGS),
        question=True,
    ),
    DetailKind(
        "when",
        re.compile(
            r"(?<!about )\bwhen(?:'s|\s+(did|was|were|is|does|do|has|had|have|are|exactly"
            r"|roughly|abouts)\b)"
            r"|\bwhat (day|date|time)\b|\bwhich (day|date)\b"
            r"|\bhow long ago\b|\bwhat time\b",
            _FLAGS,
        ),
        re.compile(_DATE, _FLAGS),
        question=True,
    ),
    DetailKind(
        "how_many", re.compile(r"\bhow many\b", _FLAGS), re.compile(_NUMBER, _FLAGS), question=True
    ),
    DetailKind(
        "where",
        re.compile(r"\bwhere\b(?! (can|do) (i|we) )", _FLAGS),
        re.compile(_PLACE, _FLAGS),
        question=True,
    ),
    DetailKind(
        "what_happened",
        re.compile(
            r"\bwhat('s| is| seems to be| was)( been)? (the )?(problem|issue|matter|wrong)\b"
            r"|\bwhat (seems to be|is|was) (the|your) (problem|issue)\b|\bwhat happened\b"
            r"|\bwhat('s| is| has been) (been )?(happening|going on)\b|\bwalk me through\b"
            r"|\b(problem|issue) (is|was)\b.*\?|\bexplain\b",
            _FLAGS,
        ),
        re.compile(rf"(?=.*({_ALREADY}))(?=(\W*\w+){{5}})", _FLAGS),
    ),
)
