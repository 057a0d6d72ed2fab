"""What counts as an agent asking the caller for a detail, sentence by sentence.

"Can I take your postcode?" asks; "I've got your postcode here already" and "we'll text
that mobile number" only mention it. Which fact a sentence that asks is about is
``trainer.personas.asks``; this module only says which sentences ask, how a fact's name
is said ("acct no", "DOB") and what a spelled-out start of a value is ("it starts B-W").
"""

from __future__ import annotations

import re

from trainer.personas.listing import lists_details

SENTENCE = re.compile(r"(?<=[.!?;])\s+|\s+[-\u2013\u2014]\s+|\s*\n\s*")
"""Where an agent turn splits into sentences."""
_REQUEST = re.compile(
    "|".join(
        [
            r"\?",
            r"\b(can|could|may|would|will|do|did) (i|you|we|u)\b",
            r"\bplease\b|\bpls\b|\bplz\b|\bkindly\b|\bgo ahead\b|\bready\b",
            r"\b(give|tell|read|provide|spell|share|pass|send|state|mention) "
            r"(me|us|it|that|over|your|ur|the)\b",
            # "chuck me the postcode", "pop the ref in the chat", "read off the number"
            r"\b(chuck|bung|pop|fire|shoot|drop|ping|type|paste|reel|rattle|read|grab|find"
            r"|dig out) "
            r"(me|us|over|off|out|the|your|ur)\b"
            r"|\b(put|stick|post|send|paste|type|pop|drop) (it|them|that|the \w+( \w+)?) "
            r"(in|into|on) (the )?(chat|here|box|message)\b",
            # "that's all I need", "is what I'm after", "would help me no end"
            r"\b(all|what|the one|everything|the (next|first|last|other|only) thing) (i|we)('m| am"
            r"|'re| are)? (need|after|want)\b|\bfire away\b"
            r"|^\W*(next( up)?|first( up| off)?|lastly|finally|and finally),? (your|the)\b"
            r"|^\W*(\w+\W+){0,2}(last|one more|final|first|next|other) thing\W+(your|ur|the)\b"
            r"|\b(i'm|i am|we're) after\b|\bwould (help|be (great|handy|brilliant|perfect))\b",
            r"\b(two|three|four|\d|a few|a couple of) (quick |little )?(things|details|bits)\b"
            r".*(:|\bneed\b)|\b(need|require|want) (just )?(two|three|four|\d|a few|a couple of) "
            r"(quick |little )?(things|details|bits)\b",
            r"\bbear with me\b.*\b(and|then)\b",
            r":\s*((the|your|ur|that) [\w -]+,\s*)+(and |& )?(the|your|ur|that) \w+",
            # "I need everything in one go: account number, postcode, the landline and ..."
            r":\s*([\w'-]+( [\w'-]+){0,3},\s*){2,}(and |& )?[\w'-]+",
            r"^\W*((and|so|ok(ay)?|now|right)\W+)?just (the|your|ur)\b",
            r"\b(have|has|got) to (hear|take|get|have|check|confirm|know|verify|ask for) "
            r"(your|ur|the)\b",
            r"\b(confirm|verify|quote)( for me)? (your|ur|the|that|me|it)\b",
            r"\bwhat('s| is| was| are| were|s)\b",
            # "ok where from": a question without its mark, not "when it comes, we'll ..."
            r"^\W*(\w+\W+){0,3}(who|where|which|when|how much|how many)\b(?!.*('ll|\bwill\b))",
            r"\b(i'd|i would|we'd|we would) (like|love) (your|the|to)\b"
            r"|\blet me (have|get|take|grab|note|jot)\b",
            r"\b(mind|able to) (giving|telling|reading|confirming|give|tell|read|confirm)\b",
            r"\blet's (start|begin|get|have|take|go)\b|\b(start|begin) with (your|the)\b",
            r"\bif (i|you|we) (could|can)\b",
            r"\b(need|needs|require|requires) (your|ur|the|to (take|get|have|check|confirm|know|"
            r"verify|ask))\b",
            r"\b(i'll|i will|i'd|we'll|we will|i'm|we're) (just )?(be )?(needing|requiring|"
            r"verifying|confirming|asking for)\b",
            r"\b(for|as part of|to complete) (the )?(verification|security)\b",
            r"\b(i|we)('ll|'d| will| would)? (just )?(need|want|take|grab|get|have) (your|the|a)\b",
        ]
    ),
    re.IGNORECASE,
)
_NOT_ASKING = re.compile(
    "|".join(
        [
            r"(?<!till )(?<!until )(?<!once )(?<!know )(?<!when )(?<!before )"
            r"\b(i've|i have|we've|we have|i('ve)? already) (got |already |now )?"
            r"(got|have|taken|verified|found|pulled|updated|noted)\b(?! on (file|record)\b)",
            r"\bno need\b|\b(don't|won't) need\b|\bfor today is\b",
            r"\b(won't|don't|will not|do not|shouldn't) (have|need) to\b",
            r"\b(matched|matches|doesn't match|didn't match|checks? out|checked out)\b",
            r"\b(we|i)('ll| will) (text|send|email|call|ring|post)\b",
            # "your postcode is on our map" tells; "check if your unit is affected" asks on
            r"^(?!.*\b(what|which|when|where|how)\b.*\byour\b)(?!.*\b(if|whether) your\b)"
            r".*\byour \w+( \w+)? (is|was|reads)\b",
            r"\bread (that |it |this )?back\b|\byou'll (get|receive)\b",
            r"^\W*(just )?to confirm\b(?!.*\?)",  # "To confirm, ..." tells; "..., to confirm?" asks
        ]
    ),
    re.IGNORECASE,
)


_AFTERWARDS = re.compile(
    r",?\s+(and |then |so |and then )(i|we)('ll| will| can)\b.*$", re.IGNORECASE
)
"""What the agent will do once given the detail ("..., then I'll email you"): not a mention."""


_FOLLOW_ON = re.compile(
    r"^\W*(and|also|plus|oh,? and|as well as|then)\b|\b(too|as well|also)\W*$", re.IGNORECASE
)


_CHAT = {  # chat spellings, so the tables need not list them
    r"\bwat\b": "what", r"\bwhats\b": "what's", r"\bu\b": "you", r"\bur\b": "your",
    r"\b(pls|plz)\b": "please", r"\badd?ress?\b": "address", r"\babt\b": "about",
    r"\bshud\b": "should", r"\bemial\b": "email", r"\bpostocde\b": "postcode",
    r"\bthats\b": "that's", r"\bwhos\b": "who's", r"\bwot\b": "what", r"\bamt\b": "amount",
    r"(?-i:\bn\b)": "and", r"\b4\b(?= the\b)": "for", r"\b(actually|exactly|basically) ": "",
}  # fmt: skip


def normalise(text: str) -> str:
    """An agent turn with chat spellings written out ("wat dates were u in spain?")."""
    for pattern, word in _CHAT.items():  # a whole word only: not the "n" of "s/n"
        alone = pattern.replace(r"\b", r"(?<![\w/'-])", 1).replace(r"\b", r"(?![\w/'-])", 1)
        text = re.sub(alone, word, text, flags=re.IGNORECASE)
    return text


def asking_sentences(text: str, verifying: bool = False) -> list[str]:
    """The sentences of an agent turn that ask the caller for something.

    "Can I take your postcode?" asks; "I've got your postcode here already" and "we'll
    text that mobile number" only mention it. A fact's ``asked_by`` patterns are looked for
    in these sentences only, so a detail the agent merely mentions is not blurted out.
    With ``verifying`` (the analyser found a verification request in the turn) a sentence
    needs no request word of its own: "Account number and postcode, and I'll get on it."
    A sentence right after one that asks carries the request on when it starts "and",
    "also", "plus", ends "too" / "as well", or is three words or fewer ("And the postcode.").
    """
    sentences = [s for s in SENTENCE.split(text) if s.strip()]
    asking: list[str] = []
    follows = False  # the sentence before asked ("Your account number? And the postcode.")
    for sentence in sentences:
        request = (
            verifying
            or _REQUEST.search(sentence)
            or lists_details(sentence)
            or (follows and _follows_on(sentence))
        )
        follows = bool(request) and not _NOT_ASKING.search(_AFTERWARDS.sub("", sentence))
        if follows:
            asking.append(sentence)
    return asking


def _follows_on(sentence: str) -> bool:
    """A sentence that carries on the request before it: "And the postcode." "Postcode too."."""
    return bool(_FOLLOW_ON.search(sentence)) or len(sentence.split()) <= 3


_NAME_REQUEST = re.compile(
    "|".join(
        [
            r"\b(your|ur|the account holder's) (full |first |last |sur)?name\b(?!\s+(is|was)\b)",
            r"\b(what|which) name\b|\bname (on|of) the (account|policy|booking|order|card)\b",
            r"\bwho (am i|i'm|do i have the pleasure of) (speaking|talking)\b",
            r"\bwho('s| is) (calling|speaking|this)\b",
        ]
    ),
    re.IGNORECASE,
)


def asks_for_name(text: str, verifying: bool = False) -> bool:
    """Whether an agent turn asks for the caller's own name ("Can I take your name and
    postcode?"), in a sentence that asks; "Thanks, Mr Walsh" and "my name's Sam" do not."""
    return any(_NAME_REQUEST.search(s) for s in asking_sentences(normalise(text), verifying))


def spelled_sentences(text: str) -> list[str]:
    """Sentences that spell out the start of a value ("it starts B-W"), when the turn asks."""
    if not asking_sentences(text):
        return []
    sentences = [s for s in SENTENCE.split(text) if s.strip()]
    return [s for s in sentences if spelled_prefix(s) and not _NOT_ASKING.search(s)]


_WORD_FORMS = {
    "number": r"(?:number|no|num|#|id|reference|ref|code)",
    "account": r"(?:account|acct|a/c)",
    "address": r"(?:address|addy)",
    "phone": r"(?:phone|telephone|tel|landline)",
    "mobile": r"(?:mobile|cell|mob)",
    "reference": r"(?:reference|ref|number)",
    "confirmation": r"(?:confirmation|code|reference|ref|number)",
    "email": r"(?:e-?mail)",
    "moving": r"(?:moving|move)",
    "travel": r"(?:travel\w*|trip|fly|flew|abroad|away|roaming|out there|overseas)",
    "date": r"(?:dates?|day|when)",
    "dates": r"(?:dates?|days?|when|how long)",
    "model": r"(?:model|make|product)",
    "amount": r"(?:amount|how much|come to|total)",
}
_STOP_WORDS = frozenset({"on", "of", "the", "a", "an", "for", "to", "in"})
_NAME_ALIASES = {
    "date of birth": r"\bd\.?o\.?b\b|\bbirthday\b|\bborn\b",
    "postcode": r"\bpost\s*code\b|\bpostal\s+code\b|\bzip\b",
}
_SPELLED_PREFIX = re.compile(
    r"\b(?:(?:starts?|starting|begins?|beginning)\s+(?:with\s+)?"
    r"|(?:digits|numbers?) after (?:the )?)"
    r"([A-Za-z0-9](?:[- .]?[A-Za-z0-9]){1,3})\b"
)


def name_pattern(name: str) -> str:
    """A fact's name as agents say it: ``account number`` also matches "acct no" and
    "account ID", ``date of birth`` also "DOB", ``add-on confirmation`` "the code from the
    add-on text": every word of the name (or a form of it), in any order. Beside
    ``number`` another word must be said itself: "the number" is not "reference number"."""
    words = [w for w in re.findall(r"[a-z0-9]+", name.lower()) if w not in _STOP_WORDS]
    forms = [_WORD_FORMS.get(w, re.escape(w)) for w in words] or [re.escape(name)]
    if "number" in words:  # "reference number": "the number" alone is not the reference
        pairs = zip(words, forms, strict=True)
        forms = [f if w == "number" else f.replace("|number", "") for w, f in pairs]
        others = {a for w, f in zip(words, forms, strict=True) if w != "number" for a in _alts(f)}
        number = "|".join(a for a in _alts(_WORD_FORMS["number"]) if a not in others)
        forms = [f"(?:{number})" if w == "number" else f for w, f in zip(words, forms, strict=True)]
    pattern = "".join(rf"(?=.*(?<!\w){form}(?!\w))" for form in forms)
    alias = _NAME_ALIASES.get(name.lower())
    return f"^{pattern}|{alias}" if alias else f"^{pattern}"


_OF_THE = re.compile(
    r"\b((the|your|ur) )?(?P<noun>number|no|reference|ref|name|date|dates|address|details) "
    r"(of|for) (?P<det>the|your|ur) (?P<adj>[a-z-]+ (?=(line|parcel|trip|order|account|policy|claim"
    r"|booking|phone|mobile|house|flat|property|card|device|router)\b))?(?P<what>[a-z-]+)\b",
    re.IGNORECASE,
)
_NAMED_PREFIX = re.compile(
    r"(?<![\w-])((?-i:[A-Z]{2,4}|[A-Z](?: [A-Z]){1,3})|0\d{1,3})(?=[ -]?(number|no\b|one\b|code"
    r"|ref|reference|digits"
    r"|then|and then|followed)\b)",
    re.IGNORECASE,
)


def compounds(text: str) -> str:
    """A detail's noun said after "of the" said before it as agents also do: "the number of
    the parcel" -> "the parcel number", "the dates of the trip" -> "the trip dates"."""
    return _OF_THE.sub(lambda m: f"{m['det']} {m['adj'] or ''}{m['what']} {m['noun']}", text)


def named_prefixes(sentence: str) -> list[str]:
    """The start of a value named as the kind of number it is ("the CLM number", "the 07
    one", "BW then six numbers") -> ``["CLM"]``."""
    return [m.group(1).replace(" ", "").upper() for m in _NAMED_PREFIX.finditer(sentence)]


def _alts(form: str) -> list[str]:
    """The alternatives of a word form: ``(?:reference|ref|code)`` -> reference, ref, code."""
    return form.removeprefix("(?:").removesuffix(")").split("|")


def spelled_prefix(sentence: str) -> str:
    """The start of a value the agent spells out ("it starts N-B" -> ``NB``), else ""."""
    found = _SPELLED_PREFIX.search(sentence)
    return re.sub(r"[^A-Za-z0-9]", "", found.group(1)).upper() if found else ""


def context_sentences(text: str) -> list[str]:
    """The sentences of a turn that neither ask nor tell: "Have you got the letter? There's
    a number near the top." The second one says which detail the question is after."""
    asking = set(asking_sentences(text))
    sentences = [s for s in SENTENCE.split(text) if s.strip()]
    return [s for s in sentences if s not in asking and not _NOT_ASKING.search(s)]
