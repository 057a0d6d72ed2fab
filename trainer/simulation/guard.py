"""The in-character guard: is this reply something the caller would say?

It rejects replies that speak as the agent (agent phrases; role reversal such as "I'll
give you a credit", "Is that right, Mr ...?", asking for the customer's own details),
copy the agent's apology, loop or repeat an earlier line, mention being an AI or a model,
write the agent's lines, leak facts not yet asked for, echo the trainee, are
empty, degenerate, or longer than the persona allows. ``check_prefix`` runs on
the text streamed so far, so bad text is caught before the trainee sees it;
``check_reply`` runs on the whole reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from trainer.personas.loading import Persona
from trainer.simulation.state import CallState

_AGENT_PHRASES = re.compile(
    r"\bhow (can|may|could) i (help|assist)\b|\bthank(s| you) for (calling|contacting|"
    r"your patience|holding)\b|\bis there anything else (i|we) can\b|\bmy name is \w+ and i\b"
    r"|\bi('ll| will) transfer you\b|\bi understand your frustration\b|\bwelcome to\b"
    r"|\bi('m| am) (happy|glad) to (help|assist)\b|\bhave a (great|nice|good) day\b"
    r"|\bcan i (have|get) your (account|name|postcode|date of birth)\b|\bwhat can i do for you\b"
    r"|\bi('m| am) here to help\b|\bi('ll| will) (be happy to )?help you\b|\blet me help you\b",
    re.IGNORECASE,
)
_AI_TALK = re.compile(
    r"\b(as an? )?(ai|a\.i\.)( language)? (model|assistant)\b|\blanguage model\b|\bas an ai\b"
    r"|\bi('m| am) (an?|the) (helpful )?(ai|assistant|chatbot|bot|virtual)\b|\bchatbot\b|\bopenai\b"
    r"|\bi (can ?not|can't) (role-?play|pretend)\b|\bsystem prompt\b|\bmy instructions\b",
    re.IGNORECASE,
)
_LABELS = re.compile(r"(^|\n|\s)(agent|representative|rep|csr|assistant|user|system)\s*:", re.I)
_NAME_LABEL = re.compile(r"\S\s+[A-Z][a-z]+( [A-Z][a-z]+)?:\s")
_SHEET = re.compile(
    r"\b(situation|how you talk|what you want|details you can give)\s*:|\bout of 10\b"
    r"|\bmood \d|\bthe customer is\b|\bright now you are\b|\byou are (still )?(calm|annoyed|angry)"
    r" and\b|\bnext line\b",
    re.IGNORECASE,
)
_ROLE_REVERSAL = re.compile(
    "|".join(
        [
            r"\bi('ll| will| can|'m going to) (give|credit|refund|send|arrange|book|waive|sort"
            r" out|put through|transfer) (you|that|a|the)\b",
            r"\bis that (right|correct),? (mr|mrs|ms|miss|sir|madam)\b",
            r"\b(what('s| is)|can i (have|take|get)|could i (have|take|get)|may i have) your "
            r"(\w+ )?(account|policy|order|tracking|reference|claim|card|mobile|phone|serial|"
            r"post ?code|date of birth|name|address)\b",
            r"\byou('re| are) right,? i('ll| will)\b|\blet me (check|look) (that|your account)\b",
            r"\bfor (security|verification)\b|\bthank you for (holding|waiting)\b",
        ]
    ),
    re.IGNORECASE,
)
_APOLOGY = re.compile(
    r"\b(i('m| am)|we('re| are)) (so |really |very |truly )?sorry (for|about) (the|your|that|this"
    r"|any)\b|\b(i|we) apologi[sz]e\b|\bsorry for the (wait|inconvenience|trouble)\b",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"<\||\|>|```|<\s*/?\s*(s|im_start|im_end|assistant|user)\b|\[/?INST\]")


@dataclass(frozen=True)
class Verdict:
    """The guard's answer: ``ok``, or the reason the reply was rejected."""

    ok: bool
    reason: str = ""


OK = Verdict(True)


def clean_reply(text: str) -> str:
    """Strip a leading speaker label, stray quotes and whitespace from model output."""
    text = text.strip()
    text = re.sub(r"^(customer|caller|\w+ \w+)\s*:\s*", "", text, count=1, flags=re.I)
    return text.strip().strip('"').strip()


def _unrevealed_values(persona: Persona, state: CallState) -> list[str]:
    return [f.value for n, f in persona.facts.items() if n not in state.revealed_facts]


def _word_count(text: str) -> int:
    return len(text.split())


_OUT_OF_CHARACTER = (
    (_AI_TALK, "mentions_ai"),
    (_AGENT_PHRASES, "speaks_as_agent"),
    (_ROLE_REVERSAL, "role_reversal"),
    (_LABELS, "writes_agent_lines"),
    (_SHEET, "prompt_leak"),
    (_NAME_LABEL, "writes_transcript"),
    (_MARKUP, "markup"),
)
"""What a caller never writes, in the order checked, with the reason a verdict gives."""


def check_prefix(text: str, persona: Persona, state: CallState, agent_text: str) -> Verdict:
    """Checks that can run on a partial reply while it streams."""
    for pattern, reason in _OUT_OF_CHARACTER:
        if pattern.search(text):
            return Verdict(False, reason)
    lowered = text.lower()
    for value in _unrevealed_values(persona, state):
        if value and value.lower() in lowered:
            return Verdict(False, "leaks_fact")
    if _word_count(text) > persona.max_reply_words:
        return Verdict(False, "too_long")
    words = re.findall(r"\w+", lowered)
    if len(words) >= 12 and len(set(words)) < len(words) / 3:
        return Verdict(False, "degenerate")
    return OK


def normalised(text: str) -> str:
    """Lower case, words separated by single spaces: how the guard compares lines."""
    return re.sub(r"\W+", " ", text.lower()).strip()


def _echoes(reply: str, agent_text: str) -> bool:
    a, b = normalised(reply), normalised(agent_text)
    if not a or not b:
        return False
    if len(a) >= 12 and a in b:
        return True
    return SequenceMatcher(None, a, b).ratio() > 0.8


def check_reply(text: str, persona: Persona, state: CallState, agent_text: str) -> Verdict:
    """The full check for a finished reply (``text`` already cleaned)."""
    if len(re.findall(r"[^\W\d_]", text)) < 2:
        return Verdict(False, "empty")
    verdict = check_prefix(text, persona, state, agent_text)
    if not verdict.ok:
        return verdict
    if _echoes(text, agent_text):
        return Verdict(False, "echoes_trainee")
    if _APOLOGY.search(text) and _APOLOGY.search(agent_text):
        return Verdict(False, "copies_apology")
    said = {normalised(t.text) for t in state.transcript if t.speaker == "customer"}
    if normalised(text) in said:
        return Verdict(False, "repeats_itself")
    sentences = [normalised(x) for x in re.split(r"(?<=[.!?])\s+", text) if normalised(x)]
    long = [x for x in sentences if len(x.split()) >= 3]
    if len(long) != len(set(long)) or any(x in said for x in long if len(x.split()) >= 5):
        return Verdict(False, "loops")
    return OK
