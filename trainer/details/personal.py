"""Kinds of detail about the caller: date of birth, postcode, e-mail, address, phone, name."""

from __future__ import annotations

import re

from trainer.details.kind import FLAGS, DetailKind
from trainer.details.shapes import DATE

PERSONAL_KINDS: tuple[DetailKind, ...] = (
    DetailKind(
        "birth",
        r"\bbirth|\bdob\b|\bbirthday\b",
        names=(r"\bd\.?o\.?b\b", r"\bbirth\s*(day|date)\b", r"\bdate of birth\b"),
        describes=(r"\bborn\b", r"\bdate (that )?you were born\b"),
        asked=re.compile(r"\b(date of birth|dob|d\.o\.b|birthday|birth date|born)\b", FLAGS),
        given=re.compile(
            rf"\b(born|date of birth|dob|d\.o\.b|birthday|birth date)\b.*({DATE}|\b\d{{4}}\b)",
            FLAGS,
        ),
    ),
    DetailKind(
        "postcode",
        r"\bpost\s*code\b|\bzip\b|\bpostal\b",
        names=(
            r"\bpost\s*code\b",
            r"\bpostal\s+code\b",
            r"\bzip( code)?\b",
            r"\beircode\b",
            r"\bpin ?code\b",
        ),
        describes=(
            r"\bcode (for|of|at) (your|the) (address|house|home|street|area|property|flat)\b",
            r"\b(letters|code|bit) at the end of (your|the) address\b",
            r"\b(delivery |postal )?(area|district) (letters|code)\b",
        ),
        serves=("address",),
        asked=re.compile(r"\b(post ?code|zip( code)?|postal code|eircode|pin ?code)\b", FLAGS),
        given=re.compile(
            r"\b[a-z]\d{2} ?[a-z0-9]{4}\b|\b(post ?code|eircode|zip)( is|'s|:) ?\w+"
            r"|\b[a-z]{1,2}\d[a-z\d]? ?\d[a-z]{2}\b|\b(zip|post ?code|postal code|pin ?code"
            r"|pin)\b\D{0,25}\d{4,6}\b",
            FLAGS,
        ),
    ),
    DetailKind(
        "email",
        r"\be-?mail\b",
        names=(r"\be-?mail\b",),
        describes=(
            r"\baddress (we|i) can (e-?mail|send)\b",
            r"\bwhere\b.*\be-?mail(ed)?\b|\be-?mailed (to|over)\b",
            r"\baddress (did )?(you|u) (use|used|register\w*|sign\w*)\b.*\b(app|account|online"
            r"|register|sign|log)",
        ),
        asked=re.compile(r"\be-?mail\b", FLAGS),
        given=re.compile(r"\S+@\S+\.\w+|\bat \w+ dot (com|co|net|org)\b", FLAGS),
    ),
    DetailKind(
        "address",
        r"\baddress\b",
        names=(r"(?<!e-mail )(?<!email )\baddress\b", r"\baddy\b"),
        describes=(
            r"\bwhere (are|were) you moving\b|\bwhere (are )?you('re)? (off to|headed|heading)\b",
            r"\bhouse number and street\b",
            r"\b(house|place|home|property|flat)( address)? (you're|you are) moving (to|into|in)\b",
            r"\bwhere (was|is|were) (it|the parcel|the order)( \w+){0,3} "
            r"(delivered|going|sent|left|dropped)\b",
        ),
        asked=re.compile(r"(?<!e-mail )(?<!email )\baddress\b", FLAGS),
        given=re.compile(
            r"\b\d+[a-z]? \w+ (road|rd|street|st|lane|ln|avenue|ave|close|drive|dr|way|crescent"
            r"|place|court)\b",
            FLAGS,
        ),
    ),
    DetailKind(
        "phone",
        r"\bphone\b|\bmobile\b|\blandline\b|\btelephone\b|\bcell\b|\bcontact number\b",
        names=(
            r"\b(tele)?phone (number|no|num)\b",
            r"\b(mobile|cell|cellphone|cp|landline|home|line|sim|home phone) (number|no|num|#)"
            r"(?!\w)",
            r"\b(tele)?phone #",
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
            r"\bnumber (you'd|you would|you) (normally |usually )?(answer|pick up)\b",
            r"\bnumber (are )?you('re| are)? (calling|ringing|phoning) (from|on|about)\b",
            r"\bnumber (you|u) (were |was |are |had )?(roaming|using|took|had) (on|abroad|away"
            r"|with you)\b|\bwhich number('s| is) this (about|for)\b",
            r"\bnumber (we|i) (should|can) (call|ring|text)\b",
            r"\bnumber (of|for) the ([\w-]+ )?(line|sim|phone|mobile)\b",
            r"\b(line|sim|phone|mobile)\b[^.?!]*\b(its|the|your) (number|no)\b",
            r"\b(which|what) number\b.*\b(sim|line|go to|be sent|send (it|the code) to)\b",
            r"\b(which|what) number\b.*\b(not working|down|dead|affected|cut off|faulty)\b",
            r"\bthe one (you're|you are|u r) (calling|ringing|phoning) (from|on)\b",
            r"\bwhere (should|shall|can|do|would) (we|i) text\b",
        ),
        asked=re.compile(
            r"\b(phone|mobile|cell|landline|telephone|contact|callback|tel) ?(number|no\b|num)"
            r"|\bmobile\b|\bnumber (of|for) the line\b|\bnumber of the line\b"
            r"|\b(which|what) number\b|\bnumber to (reach|call|contact)\b",
            FLAGS,
        ),
        given=re.compile(
            r"(?=.*\b(phone|mobile|cell|landline|line|tel|my number|number is|number's|call me)\b)"
            r".*(\+?\d[\d -]{8,}\d)|(?<![\w-])(\+|0)\d{2,4}[ -]?\d{3}[ -]?\d{3,4}\b",
            FLAGS,
        ),
    ),
    DetailKind(
        "name",
        asked=re.compile(
            r"\b(full |first |last |sur)?name\b|\bwho('s| is| am i)( i'?m)? (the |speaking|talking)"
            r"|\bwho'?s? am i (speaking|talking)"
            r"|\baccount ?holder\b",
            FLAGS,
        ),
        given=re.compile(
            r"\bname('s| is| was|:)\s+\w+|\b(this is|i'm|im|i am|it's|she's|he's|speaking"
            r"|holder,?|patient,?"
            r"|wife,?|husband,?|son,?|daughter,?|mum,?|mom,?|dad,?|father,?|mother,?|under)\s+"
            r"(?-i:(Mr|Mrs|Ms|Miss|Dr)\.? )?(?-i:[A-Z][a-z]+ [A-Z][a-z'-]+)",
            FLAGS,
        ),
    ),
)
"""The personal kinds, in the caller side's order of precedence."""
