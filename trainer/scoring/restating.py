"""Going back over what the caller said (``restates_issue``), by structure.

A restatement plays the caller's own problem back: the agent's sentence shares
content words with the customer's line before it (word stems, numbers, days) and is
framed as a summary ("so ...", "if I've followed you ...", "what I'm hearing is ...",
"... right?", "just to check I've got this ..."). A guess at the cause ("it's
probably the router"), an instruction ("try restarting it"), a question about
something new, or the agent's own action ("I've added the credit") is not one, however
many words it shares. Plain regular expressions and a set intersection: microseconds.
"""

from __future__ import annotations

import re

__all__ = ["content_stems", "not_a_summary", "restates"]

_FLAGS = re.IGNORECASE
_STOP = frozenset(
    re.findall(
        r"\S+",
        "a an the and or but so if then than that this these those there here it its it's"
        " is are was were be been being am i i'm i've me my mine we our us you your you're"
        " you've yours u ur r he she they them their his her what which who when where why"
        " how do does did done have has had having not no yes yeah ok okay right alright"
        " just really very of on in at to for from with by about as into over up down out"
        " off again still also too all any some can could would should will shall may"
        " might must get got going gonna want wanted say said saying tell telling told"
        " think see hear hearing understand understood follow following correct sure sorry"
        " thanks thank please pls po sir madam ma'am mate one thing things now well like"
        " let check make sure",
    )
)
_NUMBERS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "twice": "2", "once": "1",
}  # fmt: skip
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?", _FLAGS)

FRAME = re.compile(
    r"^\W*((ok(ay)?|right|alright|got it|understood|i see|noted|sure|yes|yeah|hmm+|ah+|oh|so sorry"
    r"|sorry|thanks|thank you|sir|ma'?am|po|mate|love|gotcha|righto|cool)\b[\s,.!—–-]*)*"
    r"(so+|in other words|to recap|just to recap|just so|let me|if i|sounds like you|basically"
    r"|to (confirm|make sure|check|be clear)|what i'?m (getting|hearing)|correct me if"
    r"|the gist|what (you'?re|ur|u r) (telling|saying))\b"
    r"|(^|[,.;:—–-]\s*)so (you|u|ur|your|the|it'?s|basically|just)\b"
    r"|\b(recap|in other words|if i've got|if i have got|what i'?m hearing|what i'?m getting"
    r"|just to (check|confirm|make sure|be clear)|have i got|did i get|i understand (that"
    r"|correctly)"
    r"|understood,? (sir|ma'?am|so)|you'?re saying|ur saying|u r saying|you are saying)\b"
    r"|\b(right|correct|yeah|yes|ya|is that right|is that it|is that correct"
    r"|have i got that( right)?"
    r"|did i get that( right)?|that's it|is it correct|isn't it|is that accurate)"
    r"(,? (po|sir|ma'?am|mate|love))?\W*$",
    _FLAGS,
)
"""A summary's frame: an opening "so" / "in other words", or a check at the end."""
_NOT_A_SUMMARY = re.compile(
    r"\b(probably|might be|could be|may be|must be|likely|maybe|perhaps|i think it'?s|i reckon"
    r"|sounds like (it'?s|a|the|an)|probably because|that'?s why|that is why|i (can )?see (two"
    r"|the|a|an|it|that|your|\d)|(he|she|they) told (you|u)"
    r"|what happens when|that'?s on you|your (own )?fault)\b"
    r"|\b(fixed|working|sorted|resolved|back on|back up|showing)\b[^.]*\bnow\b"
    r"|\bnow\b[^.]*\b(fixed|working|sorted|resolved|back on|back up|showing)\b"
    r"|\b(can|could|would) (u|you) (pls |please |just )?(send|share|give|tell|confirm|provide|try"
    r"|check|have)\b"
    r"|^\W*(please |pls |kindly |can you |could you |would you |have you |did you |try |you need"
    r"|you should|you'?ll need|go to|click|restart|unplug|turn)\b"
    r"|\b(i'?ve|i have|i'?ll|i will|we'?ve|we have|we'?ll|we will|i can|we can|i'?m going to) "
    r"(added|sent|refunded|booked|arranged|raised|credited|applied|cancelled|issued|put|set|send"
    r"|add|refund|book|arrange|raise|credit|apply|cancel|issue|get|sort|fix|escalate|waived|waive"
    r"|honour|honor|pay|paid|approved|approve|taken|take|removed|remove|lifted|lift|unblocked"
    r"|unblock|unlocked|unlock|reset|changed|change|updated|update|moved|move|logged|log|opened"
    r"|open|restored|restore|reactivated|reactivate|switched|switch|ordered|order|reissued"
    r"|reissue|scheduled|schedule|replaced|replace|released|release|extended|extend)\b"
    r"|^\W*((so|and|ok(ay)?|right|alright)\W+)*(what|which|when|where|why|how|who|whose)\b"
    r"(?! (i'?m (hearing|getting|understanding|taking)|you'?re (telling|saying)))"
    r"(?!.*\b(right|correct|is that)\W*$)",
    _FLAGS,
)
"""A cause guessed, an instruction, the agent's own action or a question about something new."""


_ASKED_FOR = re.compile(
    r"\b(kindly|please|pls|can you|could you|i want|i'?d like|i wanna|i need|i would like)\b",
    _FLAGS,
)
_TOLD = re.compile(r"\b(were|was) told\b", _FLAGS)
_ACK = re.compile(
    r"^\W*(ok(ay)?|right|alright|got it|gotcha|understood|i see|noted|righto)\b", _FLAGS
)


def _stem(word: str) -> str:
    word = word.lower().split("'")[0]
    if word in _NUMBERS:
        return _NUMBERS[word]
    for suffix in ("ing", "ed", "es", "s", "ly", "e"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word[:6]


def content_stems(text: str) -> set[str]:
    """The stems of a text's content words (numbers kept, function words out)."""
    return {_stem(w) for w in _WORD.findall(text) if w.lower() not in _STOP and len(w) > 1}


def not_a_summary(sentence: str) -> bool:
    """True for a cause guessed, an instruction, the agent's own action or a question about
    something new: not a restatement whatever its words (the analyser also stops the
    learned head there)."""
    return bool(_NOT_A_SUMMARY.search(sentence))


def restates(sentence: str, context: str, *, min_shared: int = 2, min_share: float = 0.25) -> bool:
    """True when ``sentence`` plays back the customer's ``context`` line as a summary.

    At least ``min_shared`` content stems in common, making at least ``min_share`` of the
    sentence's own, inside a summary's :data:`FRAME`, and not a cause guessed, an
    instruction, the agent's own action or a question about something new."""
    if not context.strip() or context.rstrip().endswith("?") or _NOT_A_SUMMARY.search(sentence):
        return False
    own = content_stems(sentence)
    shared = own & content_stems(context)
    if not any(w.isalpha() and len(w) > 2 for w in shared):
        return False  # only numbers and codes in common: a detail read back, not the problem
    if _TOLD.search(sentence):  # "you were told X": reported speech unless it goes on
        min_shared = max(min_shared, 3)
    if FRAME.search(sentence):
        return len(shared) >= min_shared and len(shared) >= min_share * max(len(own), 1)
    # no frame: mostly the caller's own words told back (after an acknowledgement, or
    # four of them), and not the answer to something the caller asked for
    return (
        (bool(_ACK.match(sentence)) and len(shared) >= 3 or len(shared) >= 4)
        and "?" not in sentence
        and len(shared) >= 0.5 * len(own)
        and not _ASKED_FOR.search(context)
    )
