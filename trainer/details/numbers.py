"""Kinds of detail written as a number or code: account, policy, claim, order, tracking,
reference, confirmation, card, serial, meter, document, sort code, registration, flight."""

from __future__ import annotations

from trainer.details.kind import NUMBER, DetailKind, numbered

_NO = r"(number|no\b\.?|num|#|id|ref|reference)"

NUMBER_KINDS: tuple[DetailKind, ...] = (
    numbered(
        "account",
        r"\baccount\b|\bcustomer (number|id)\b",
        rf"(account|acct|acc|a/c|customer|membership|member|client) ?{_NO}|which account",
        r"account|acct|acc|a/c|customer (number|no|id|ref)|membership|member (number|no|id)",
        names=(rf"\b(account|acct|acc|a/c) {NUMBER}(?!\w)", rf"\bcustomer {NUMBER}(?!\w)"),
        describes=(
            r"\bnumber (at|on) the top of (your|the)\b",
            r"\bnumber on (your|the) (bill|letter|statement)\b",
            r"\bnumber (near|in|at) the (top|corner)\b",
            r"\b(number|reference) (printed )?on (your|the|that) (bill|letter|statement)\b",
            r"\bnumber (just )?(under|below|above|beside|next to) (your|the) (name|address)\b",
        ),
        near=(r"\b(bill|letter|statement)\b",),
    ),
    numbered(
        "policy",
        r"\bpolicy\b",
        rf"policy ?{_NO}?",
        "policy",
        describes=(
            rf"\b{NUMBER} (is )?(printed |written )?(on|off|from|at the top of) (your|the)"
            r" (insurance |policy )?(policy|schedule|certificate|paperwork|documents?)",
        ),
        near=(r"\b(policy|schedule|certificate|renewal|insurance documents?)\b",),
        serves=("account",),
    ),
    numbered(
        "claim",
        r"\bclaim\b",
        rf"claim ?{_NO}",
        "claim",
        near=(r"\bclaim\b",),
        serves=("reference",),
    ),
    numbered(
        "order",
        r"\border\b",
        rf"order ?{_NO}?",
        "order",
        describes=(
            rf"\b{NUMBER} (on|from) (your|the) (receipt|invoice|order)\b",
            r"\bpurchase (ref|reference|number|no|id)\b",
        ),
        near=(r"\b(receipt|invoice|order confirmation|order e-?mail|purchase)\b",),
    ),
    numbered(
        "tracking",
        r"\btracking\b|\bconsignment\b|\bparcel\b|\bshipment\b",
        r"tracking|consignment|waybill|awb|parcel (number|no|id)",
        "tracking|consignment|waybill|awb|parcel",
        names=(
            r"\btracking\b",
            r"\bconsignment\b",
            rf"\b(parcel|delivery|shipping|shipment) {NUMBER}(?!\w)",
        ),
        near=(
            r"\b(dispatch|shipping|delivery|courier|parcel|tracking)('s)? "
            r"(e-?mail|text|note|message)\b",
            r"\b(text|e-?mail|message)\b[^.?!]*\b(deliver\w*|left|safe place|dispatch\w*|shipped"
            r"|driver|courier|on its way)\b",
        ),
        serves=("order", "reference"),
    ),
    numbered(
        "reference",
        r"\breference\b|\bref\b|\bcase\b|\bticket\b",
        rf"(booking|reservation|case|ticket|incident|confirmation|complaint|job) ?{_NO}?"
        rf"|booking ref(erence)?|reference",
        "booking|reservation|case|ticket|incident|confirmation|complaint|job|ref|reference",
        names=(
            r"\breference\b",
            r"\bref\b",
            rf"\b(case|job|booking|incident|complaint|fault|log) {NUMBER}(?!\w)",
            r"\bticket\b",
        ),
        describes=(
            r"\b(number|reference|ref|code) (that )?(you were|you've been|they|we) "
            r"(given|gave you|issued|sent you)\b",
        ),
        near=(
            r"\b(last|previous|earlier|other|\w+day's) (call|time|agent)\b",
            r"\bwhen you (rang|called)\b",
        ),
        serves=("claim",),
    ),
    DetailKind(
        "confirmation",
        r"\bconfirmation\b",
        names=(rf"\bconfirmation {NUMBER}(?!\w)",),
        near=(r"\b(text|sms|message|confirmation)\b",),
        serves=("reference",),  # "the reference off that confirmation text"
    ),
    numbered(
        "card",
        r"\bcard\b",
        r"card ?(number|no)|last (four|4)|long number on",
        r"card|last (four|4)",
        names=(
            r"\bcard (number|no|digits)\b",
            r"\blast (four|4)( digits)?\b",
            r"\b(number|digits) on (your|the) card\b",
            r"\bcard\b.*\bend(s|ing)?\b",
        ),
        near=(r"\bcard\b",),
    ),
    numbered(
        "serial",
        r"\bserial\b|\bs/n\b",
        "imei|serial",
        names=(r"\bserial\b", r"\bs/?n\b"),
        describes=(
            r"\b(sticker|label|barcode)\b",
            rf"\b{NUMBER} (on|under|off|at) the (back|bottom|base|underside) of\b",
            rf"\b(long )?{NUMBER} on the (router|unit|hub|device|box|base unit|main unit)\b",
        ),
        near=(r"\b(sticker|label|barcode|underneath|underside)\b", r"\b(back|bottom|base) of\b"),
    ),
    numbered("meter", "", "meter|mpan|mprn|reading"),
    numbered(
        "document",
        "",
        r"passport|driv(ing|er'?s) licen[cs]e|licen[cs]e (number|key)|national (id|insurance)|ssn"
        r"|social security|aadhaa?r|pan (card|number)",
        r"passport|licen[cs]e|national (id|insurance)|ssn|social security|aadhaa?r|pan",
    ),
    numbered("sort_code", "", r"sort ?code|routing|ifsc"),
    numbered(
        "registration",
        "",
        r"registration|reg( number| no)?|licen[sc]e plate|number plate|plate",
        r"registration|reg|plate",
    ),
    numbered("flight", "", r"flight( number| no)?", "flight"),
)
"""The number kinds, in the caller side's order of precedence."""
