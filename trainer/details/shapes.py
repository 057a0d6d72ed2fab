"""How a caller's values look in a line: a date or time, an amount, a count, a place, and
"I already told you" (the scorecard's ``given`` tests)."""

from __future__ import annotations

DATE = (
    r"\b(mon|tues|wednes|thurs|fri|satur|sun)days?\b|\b(mon|tue|tues|wed|thu|thur|thurs|fri)\b"
    r"|\byesterday\b|\btoday\b"  # not "sat" or "sun": "I sat on hold", "the sun"
    r"|\btonight\b|\bthis (morning|afternoon|evening|arvo|week)\b|\blast (night|week|month|year"
    r"|\w+day)\b"
    r"|\b\d{1,2}(st|nd|rd|th)\b"
    # month names, whole ("maybe", "decent", "market" and "separate" are not dates; "may" only
    # beside a day's number or after in / of / since / last / next / early / late / mid)
    r"|\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|june?|july?|aug(ust)?|sept?(ember)?"
    r"|oct(ober)?|nov(ember)?|dec(ember)?)\b\.?"
    r"|\b\d{1,2}(st|nd|rd|th)? (of )?may\b|\bmay \d{1,2}(st|nd|rd|th)?\b"
    r"|\b(in|of|since|last|next|early|late|mid|end of|until|till) may\b"
    r"|\b\d{1,2}[:.]\d{2}\b|\b\d{1,2} ?(am|pm)\b|\bo'?clock\b|\bnoon\b|\bmidnight\b|\bweekend\b"
    r"|\b(days?|weeks?|months?|hours?) ago\b|\barvo\b|\b\d{1,2}/\d{1,2}(/\d{2,4})?\b"
    r"|\b(first|second|third|fourth|fifth|ninth|tenth|twelfth|\w+teenth|twentieth)\b"
)
AMOUNT = (
    r"[£$€₹]\s?\d|\b\d+(\.\d+)?\s?(pounds?|quid|dollars?|bucks|euros?|rupees?|pesos?|rs)\b"
    r"|\b(rs|inr|php|usd|gbp|aud)\.?\s?\d"
)
COUNT = (
    r"\b\d+\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twice"
    r"|a couple|both|a pair|dozen)\b"
)
PLACE = (
    r"\b(kitchen|bathroom|bedroom|lounge|living room|garden|hallway|loft|attic|garage|cellar"
    r"|basement|upstairs|downstairs|sink|roof|street|road|lane|avenue|drive|store|shop"
    r"|branch|car park|parking lot|station|airport|office|outside|inside)\b"
)
ALREADY = (
    r"\b(already|just) (told|said|explained|gave|went through|mentioned)\b|\blike i (said|told)\b"
    r"|\bas i (said|told|explained|mentioned)\b"
    r"|\bi('ve| have) (already |just )?(told|said|explained|given|gone through)\b"
)
