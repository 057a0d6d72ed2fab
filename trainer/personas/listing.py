"""Turns that list the details an agent wants rather than asking in a full sentence.

"Account and postcode, and I'll stay on the line." "Birthday and mobile, ma'am." "Phone
number of the line affected, and the reference from your last call." Each opens with the
details' names and says nothing about them, so it asks for them.
"""

from __future__ import annotations

import re

_LISTED = (
    re.compile(  # "Account and postcode, and I'll stay on the line." / "The card, the last four."
        r"^\W*([^:.?!]{0,60}:\s*)?(?P<head>[^,;:.?!]{2,60}?),?"
        r"( (one (last|more) time|again|please|for me|sir|ma'?am|madam|mate|po),)? "
        r"(and |then |so )(then )?(i|we|it)"
        r"('ll| will| can|'re| are)\b"
        r"|^\W*(?P<lead>(the|your) [^,;:.?!]{2,40}),",
        re.IGNORECASE,
    )
)
_PRONOUN = re.compile(  # a clause, not a list of details: someone does something in it
    r"\b(i|i'm|i've|you|you're|we|we're|it|it's|they|he|she|this|that|there|sorry|thanks"
    r"|is|are|was|were|has|have|had|comes?|came|goes|went|shows?|says?|ends?|looks?|\w+ed)\b",
    re.IGNORECASE,
)


_TOLD = re.compile(r"\b(is|was|are|were|has|have|had)\b", re.IGNORECASE)
_ADDRESS = re.compile(  # words around a bare list that ask nothing: "Birthday and mobile, ma'am."
    r"\b(sir|ma'?am|madam|mate|love|dear|po|lang|na|go|please|then|first|next|now|too|also"
    r"|as well|and|or|plus|right|ok|okay|so|just|quickly|both|the|your|ur|of|on|off|from)\b",
    re.IGNORECASE,
)
_ACKNOWLEDGED = re.compile(  # "Postcode, perfect." takes a detail in; it does not ask for one
    r"\b(thanks?|thank you|cheers|ta|perfect|lovely|great|brilliant|super|wonderful|excellent"
    r"|fab|noted|got it|correct|confirmed|verified|done|sorted|fine|good|nice)\b|\d",
    re.IGNORECASE,
)


_DETAIL_LEAD = re.compile(
    r"^\W*((ok(ay)?|right|so|great|lovely|perfect|cool|and|then|now),? )*(the |your |ur )?"
    r"(full |new |old |home )?(number|phone|mobile|landline|e-?mail|post ?code|zip|reference|ref"
    r"|account|policy|claim|order|tracking|serial|model|date of birth|birthday|dob|address"
    r"|card|booking|case|ticket)\b(?P<rest>[^.?!]*)",
    re.IGNORECASE,
)
_TELLS = re.compile(  # "The email will have the link in it" tells; it asks for nothing
    r"\b(is|was|are|were|has|have|had|will|would|should|can|could|may|might|shows?|says?"
    r"|comes?|goes|went|came|gets?|got|looks?|matche[sd]|isn't|wasn't|doesn't|didn't|won't)\b"
    r"|'s\b|'ll\b|'d\b",
    re.IGNORECASE,
)
_WILL_DO = re.compile(r",?\s+(and |then |so )(then )?(i|we|it)('ll| will| can|'re| are)\b.*$", re.I)


def _named_lead(sentence: str) -> bool:
    """A sentence that opens with a detail's name, maybe described, and tells nothing of it:
    "Phone number of the line affected, and the reference from your last call." "The email
    you bought it with and the purchase ref, and I'll raise an RMA." Not "The email will
    have the link in it" or "Your postcode's on the map"."""
    found = _DETAIL_LEAD.search(_WILL_DO.sub("", sentence))
    rest = found.group("rest") if found else ""
    return bool(found) and not _TELLS.search(rest) and not _ACKNOWLEDGED.search(rest)


def listed_words(sentence: str) -> set[str]:
    """The words of a list of details that opens a sentence, before what the agent will do
    with them ("Account and postcode, and I'll stay on the line." -> account, and,
    postcode; "The card po, the last four digits lang."); empty for any other sentence."""
    found = _LISTED.search(sentence)
    head = found and (found.group("head") or found.group("lead"))
    if not found or not head or _PRONOUN.search(head):
        return set()
    if found.group("lead") and _TOLD.search(sentence[found.end() :]):
        return set()  # "Your postcode, as it happens, is on our outage map."
    return set(re.findall(r"[a-z]+", head.lower()))


def _bare_list(sentence: str) -> bool:
    """A sentence that is nothing but a few details' names: "Birthday and mobile, ma'am."
    "Model and serial, go." "Postcode first, then your date of birth." Not a clause, an
    acknowledgement ("Postcode, perfect.") or a read-back with digits ("Card ending 4471.")."""
    if _PRONOUN.search(sentence) or _ACKNOWLEDGED.search(sentence):
        return False
    return 0 < len(re.findall(r"[a-z]+", _ADDRESS.sub(" ", sentence.lower()))) <= 6


def lists_details(sentence: str) -> bool:
    """Whether a sentence is a list of details that asks for them (module docstring)."""
    return bool(listed_words(sentence)) or _bare_list(sentence) or _named_lead(sentence)
