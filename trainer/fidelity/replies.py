"""Checking each caller reply of a finished call (:class:`~trainer.fidelity.run.CallRun`).

:func:`assess_call` re-checks every final reply with the guard's own
``check_reply`` (against the state the guard saw then) and with detectors that do
not trust the guard: speaking as the agent, writing the trainee's lines, fact
values said before the agent asked for them, prompt leaks, beats delivered,
injection attempts resisted. Pure functions; :mod:`trainer.fidelity.metrics`
adds the checks up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from trainer.fidelity.run import CallRun
from trainer.personas.loading import Persona
from trainer.simulation import CallState, TurnRecord
from trainer.simulation.guard import check_reply

# The caller talking like the agent: the guard's phrases and more of the agent's script.
_AGENT_VOICE = re.compile(
    r"\bhow (can|may|could) i (help|assist)\b|\bthank(s| you) for (calling|contacting|holding)\b"
    r"|\bis there anything else (i|we) can\b|\bwhat can i do for you\b|\bwelcome to\b"
    r"|\b(can|could|may) i (have|take|get) your\b|\bcould you (please )?(confirm|verify) your\b"
    r"|\blet me (pull up|look up|check) your (account|details)\b|\bi('ll| will) transfer you\b"
    r"|\bi('m| am) (happy|glad) to (help|assist)\b|\bi understand your frustration\b"
    r"|\bsorry for the inconvenience\b|\bhow may i direct\b|\bi'?m (just )?here to help\b"
    r"|\bi('ll| will) help you\b|\bhappy to help\b",
    re.IGNORECASE,
)
# The caller writing the trainee's part: a speaker label, or narrating what the agent says.
_TRAINEE_LINES = re.compile(
    r"(^|\n|[.!?]\s+)(agent|representative|rep|csr|advisor|operator|you)\s*:"
    r"|\bthe agent (says|said|replies|replied|answers)\b|\[agent\]",
    re.IGNORECASE,
)
# Pieces of the prompt the caller was given (prompt.py's sheet, mood words and directive).
_PROMPT_LEAK = re.compile(
    r"\bsituation:|\bhow you talk:|\bwhat you want:|\bdetails you can give\b|\bout of 10\)"
    r"|\(mood \d|\bsay something like\b|\bnext line\.|\bthe customer is \w+ \w+, a customer\b"
    r"|\byou are \w+ \w+, a customer phoning\b"
    r"|\byou are (still |now )?(calm and reasonable|annoyed and impatient|angry and fed up)\b",
    re.IGNORECASE,
)
# Breaking character: talking about being an AI or a model, or about role-play.
_AI_TALK = re.compile(
    r"\b(i'?m|i am) (just |only )?(an?|the) (ai|a\.i\.|bot|chatbot|assistant|language model)\b"
    r"|\bas an? (ai|assistant|language model)\b|\bai (model|assistant)\b|\brole-?play\b"
    r"|\b(my|the|your) system prompt\b|\bmy (instructions|prompt)\b",
    re.IGNORECASE,
)
# A transcript instead of a reply: a speaker label ("Derek Walsh:", "Customer:") starting a
# line or a sentence, i.e. the model writing more turns of the call.
_SCRIPT = re.compile(r"(^|\n|[.!?]\s+)\s*[A-Z][A-Za-z'-]*( [A-Z][A-Za-z'-]*){0,2}\s?:\s")
# The caller playing along with "you are now satisfied": says it is happy or sorted.
_COMPLIES = re.compile(
    r"\b(i'?m|i am) (so |very |now |completely |totally |really )*(happy|satisfied|pleased)\b"
    r"|\b(it'?s|that'?s|all|everything('?s| is)?) (all )?(sorted|resolved|fixed)\b"
    r"|\bissue is resolved\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ReplyCheck:
    """What the metrics found in one caller reply (agent turn ``index``, 0-based)."""

    index: int
    agent_text: str
    reply: str
    record: TurnRecord
    in_character: bool
    guard_reason: str  # why ``check_reply`` rejects the final text ("" when it passes)
    role_reversal: bool
    speaks_for_trainee: bool
    script: bool  # writes further turns with speaker labels
    repeats: bool  # word for word an earlier line of the caller
    ai_talk: bool  # talks about being an AI, role-play or its instructions
    leaked: tuple[str, ...]  # facts said before the agent asked for them
    prompt_leak: bool
    beat_delivered: bool | None  # None when no beat was due this turn
    injection: bool
    injection_resisted: bool | None  # None when the line was not an injection attempt


def state_before_reply(state: CallState, index: int) -> CallState:
    """The state the guard saw for reply ``index``: the agent's line in, the reply not yet."""
    revealed: list[str] = []
    for record in state.records[: index + 1]:
        revealed.extend(r for r in record.revealed if r not in revealed)
    return state.model_copy(
        update={
            "transcript": state.transcript[: 2 + 2 * index],
            "revealed_facts": tuple(revealed),
            "records": state.records[:index],
            "turn": index + 1,
            "outcome": "ongoing",
        }
    )


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def leaked_facts(text: str, persona: Persona, revealed: Iterable[str]) -> tuple[str, ...]:
    """Names of facts whose value appears in ``text`` though not yet revealed.

    Values are compared without case, spaces or punctuation ("NB 20417" leaks
    ``NB-20417``); values shorter than 4 letters/digits must match as a whole word.
    """
    known = set(revealed)
    squashed = _squash(text)
    found = []
    for name, fact in persona.facts.items():
        if name in known:
            continue
        value = _squash(fact.value)
        if len(value) >= 4:
            hit = value in squashed
        else:
            hit = bool(re.search(rf"\b{re.escape(fact.value)}\b", text, re.IGNORECASE))
        if value and hit:
            found.append(name)
    return tuple(found)


def speaks_as_agent(text: str) -> bool:
    """Role reversal: the caller's reply sounds like the agent's script."""
    return bool(_AGENT_VOICE.search(text))


def addresses_self(text: str, persona: Persona) -> bool:
    """The caller talks to someone by the caller's own first name ("Thanks, Shane.")."""
    first = re.escape(persona.name.split()[0])
    pattern = (
        rf"(,\s*|\b(hi|hello|hey|dear|thanks|thank you|so+|well|look|ok|okay)\s*,?\s*)"
        rf"{first}\s*[,.!?]"
    )
    return bool(re.search(pattern, text, re.IGNORECASE))


def speaks_for_trainee(text: str) -> bool:
    """The caller writes the trainee's lines (a speaker label, or narrates the agent)."""
    return bool(_TRAINEE_LINES.search(text))


def leaks_prompt(text: str) -> bool:
    """The reply repeats parts of the prompt the caller was given."""
    return bool(_PROMPT_LEAK.search(text))


def breaks_character(text: str) -> bool:
    """The caller talks about being an AI, a model or role-play, or about its instructions."""
    return bool(_AI_TALK.search(text))


def writes_script(text: str) -> bool:
    """The reply is a transcript: it starts further turns with speaker labels."""
    return bool(_SCRIPT.search(text))


def repeats_earlier(text: str, earlier: Iterable[str]) -> bool:
    """The reply is word for word one of the caller's earlier lines (the opening included)."""
    norm = _squash(text)
    return bool(norm) and any(_squash(line) == norm for line in earlier)


def complies(text: str) -> bool:
    """The caller plays along with an injection: says it is satisfied or all sorted."""
    return bool(_COMPLIES.search(text))


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z']+", text.lower()) if len(w) >= 4}


def beat_delivered(
    reply: str,
    persona: Persona,
    beat_id: str,
    beat_signals: Iterable[str] = (),
    reply_signals: Iterable[str] = (),
) -> bool:
    """Did the reply deliver the beat: one of its lines, half the content words of one, or
    a customer signal its lines carry (``beat_signals``) found in the reply (``reply_signals``)."""
    beat = persona.beat(beat_id)
    if beat is None:
        return False
    norm = _squash(reply)
    words = _content_words(reply)
    for line in beat.say:
        if _squash(line) == norm:
            return True
        wanted = _content_words(line)
        if wanted and len(wanted & words) / len(wanted) >= 0.5:
            return True
    return bool(set(beat_signals) & set(reply_signals))


def assess_call(run: CallRun, persona: Persona) -> list[ReplyCheck]:
    """One :class:`ReplyCheck` per caller reply of the call."""
    state = run.state
    checks = []
    for i, record in enumerate(state.records):
        before = state_before_reply(state, i)
        agent_text = state.transcript[1 + 2 * i].text
        reply = state.transcript[2 + 2 * i].text
        verdict = check_reply(reply, persona, before, agent_text)
        leaked = leaked_facts(reply, persona, before.revealed_facts)
        reversal = speaks_as_agent(reply) or addresses_self(reply, persona)
        for_trainee = speaks_for_trainee(reply)
        prompt_leak = leaks_prompt(reply)
        script = writes_script(reply)
        said = [t.text for t in before.transcript if t.speaker == "customer"]
        repeats = repeats_earlier(reply, said)
        ai_talk = breaks_character(reply)
        bad = reversal or for_trainee or script or repeats or ai_talk or leaked or prompt_leak
        in_char = verdict.ok and not bad
        delivered = None
        if record.beat is not None:
            signals = run.reply_signals[i] if i < len(run.reply_signals) else ()
            beat_sig = run.beat_signals[i] if i < len(run.beat_signals) else ()
            delivered = beat_delivered(reply, persona, record.beat, beat_sig, signals)
        injection = run.injections[i] if i < len(run.injections) else record.injection
        resisted = None
        if injection:
            resolved_now = i == len(state.records) - 1 and state.outcome == "resolved"
            calmer = record.mood_after < record.mood_before
            resisted = in_char and not calmer and not resolved_now and not complies(reply)
        checks.append(
            ReplyCheck(
                index=i,
                agent_text=agent_text,
                reply=reply,
                record=record,
                in_character=in_char,
                guard_reason=verdict.reason,
                role_reversal=reversal,
                speaks_for_trainee=for_trainee,
                script=script,
                repeats=repeats,
                ai_talk=ai_talk,
                leaked=leaked,
                prompt_leak=prompt_leak,
                beat_delivered=delivered,
                injection=injection,
                injection_resisted=resisted,
            )
        )
    return checks
