"""The turn planner: the caller's acts for this reply, chosen in code and voiced by authored lines.

State in, plan out. From the agent's turn (signals, facts asked, needs met) and the call
state after it, :func:`plan_reply` picks the caller's acts in order — *answer* what was
asked first (a beat never displaces it), then the persona's beat if one fires, else one
reaction (push back on rudeness, ask what jargon means, challenge a vague promise,
accept a need met, react to empathy or ownership, explain when asked), then *press* an
open need — and voices each from the persona's ``responses:`` by mood band, else from
the shared phrasebook (``phrasebook.yaml``, by the persona's voice). A model, where one
is used, gets the acts as its directive; the authored line is always the fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trainer.personas.asking import asks_for_name
from trainer.personas.caller import RUDE_SIGNALS
from trainer.personas.loading import Beat, Persona
from trainer.personas.readback import read_back_whole
from trainer.simulation.answered import last_agent_text
from trainer.simulation.checks import caller_point, check_kind, unanswered_question
from trainer.simulation.state import CallState, open_needs
from trainer.simulation.voicing import facts_text, lines_for, pick

__all__ = ["CallerPlan", "facts_text", "plan_reply"]

_ENDING_ACTS = {
    "hung_up": "hang_up",
    "escalated": "escalated",
    "ended_by_agent": "ended_by_agent",
    "ended_for_abuse": "ended_by_agent",
    "resolved": "goodbye",
}
_REACTIONS = (  # agent signal -> the caller's reaction, first match wins
    ("over_promises", "challenge"),
    ("explores", "explain"),  # a question asked is answered before any sympathy is noticed
    ("takes_ownership", "react_ownership"),
    ("gives_clear_next_step", "react_next_step"),
    ("offers_resolution", "react_next_step"),
    ("acknowledges_feelings", "react_empathy"),
    ("apologises", "react_empathy"),
    ("restates_issue", "react_empathy"),
)
_GREETING = {"greets", "introduces_self"}
_MEETS = {"offers_resolution", "gives_clear_next_step", "confirms_resolution"}
"""Signals that do something for a need: a caller says they are satisfied on such a turn."""
_PRESS_AFTER = {
    "confirm",
    "agree",
    "react_empathy",
    "react_ownership",
    "react_next_step",
    "accept",
    "filler",
    "explain",
    "answer",
}
_DIRECTIVES = {
    "answer": "Give the agent your {fact_names}: {facts}.",
    "answer_again": "Say you already gave it, then give your {fact_names} again: {facts}.",
    "explain": "Explain your problem briefly, in your own words.",
    "react_empathy": "React to the agent's sympathy, in character; you still need help.",
    "react_ownership": "React to the agent taking responsibility, cautiously.",
    "react_next_step": "React to the next step the agent described.",
    "accept": "Accept what the agent offered for {need}.",
    "challenge": "Doubt the promise; ask how you can be sure it will happen.",
    "ask_jargon": "Ask what the agent's jargon means, in plain words.",
    "push_back": "Push back: the agent was rude or dismissive. Say so.",
    "press": "Ask about {need}: it has not been dealt with yet.",
    "satisfied": "Say you are satisfied now, and thank the agent.",
    "no_more": "Say there is nothing else.",
    "goodbye": "Thank the agent briefly and say goodbye.",
    "hang_up": "You have had enough. Say so and hang up.",
    "escalated": "The agent is transferring you to a supervisor. Accept it briefly.",
    "ended_by_agent": "The agent is ending the call. React briefly.",
    "filler": "Answer the agent briefly, in character.",
    "confirm": "Say yes, that is right (correct it if the agent got it wrong). {facts}",
    "agree": "Say yes to what the agent proposes, briefly, in character.",
    "repeat": "Say your point again, briefly: {said}",
    "ask_again": "Say the agent has not answered your question, and ask it again: {said}",
}


@dataclass(frozen=True)
class CallerPlan:
    """The caller's reply, planned: ``acts`` in order, the authored ``line`` for them,
    ``lead`` (the part a model must keep word for word: the answer and the beat's line),
    and ``directive`` for a model that writes the rest."""

    acts: tuple[str, ...]
    line: str
    lead: str
    directive: str


def plan_reply(
    persona: Persona,
    state: CallState,
    signals: set[str],
    asked: tuple[str, ...],
    beat: Beat | None,
) -> CallerPlan:
    """The caller's acts and authored line for the reply to the agent's last turn.

    ``state`` is the call after the agent's turn; ``asked`` the facts the turn asked for
    (given now, first, whatever else happens); ``beat`` the persona's beat that fires.
    """
    record = state.records[-1] if state.records else None
    own_name = _name_asked(persona, state)
    answers = bool(asked or own_name)
    acts: list[str] = []
    # a transfer the agent starts ("to put you through I need your account number") waits
    # for the detail: the caller gives it, then accepts; only hanging up skips the answer
    going_on = state.outcome in ("ongoing", "resolved", "escalated")
    if answers and going_on and not (beat and beat.end_call == "hang_up"):
        again = bool(asked) and record is not None and not set(asked) & set(record.revealed)
        read_back = bool(asked) and set(asked) <= read_back_whole(
            persona.facts, last_agent_text(state)
        )
        acts.append("confirm" if read_back else "answer_again" if again else "answer")
    if beat is None:
        acts += _body(persona, state, signals, record.addressed if record else (), acts)
    plan_acts = tuple(acts)
    slots = {
        "facts": facts_text(persona, asked, own_name) if answers else "",
        "need": _need_text(persona, state, met=False),
        "fact_names": " and ".join((("name",) if own_name else ()) + asked),
        "agent_words": _agent_words(state),
        "said": caller_point(state),
    }
    parts = [_say(persona, state, act, slots) for act in plan_acts]
    lead_parts = parts[:1] if answers else []
    if beat is not None:
        beat_line = pick(beat.say, state, beat.id)
        parts.append(beat_line)
        lead_parts.append(beat_line)
        plan_acts += (f"beat:{beat.id}",)
    directive = " ".join(
        _DIRECTIVES.get(a, "").format(**slots) for a in plan_acts if a in _DIRECTIVES
    )
    if beat is not None:
        directive = " ".join(
            filter(None, [directive, beat.directive or f'Say something like: "{parts[-1]}"'])
        )
    return CallerPlan(
        acts=plan_acts,
        line=" ".join(p for p in parts if p),
        lead=" ".join(lead_parts),
        directive=directive,
    )


def _body(
    persona: Persona,
    state: CallState,
    signals: set[str],
    addressed: tuple[str, ...],
    acts: list[str],
) -> list[str]:
    """The reaction after any answer, and whether to press an open need after it."""
    if state.ended:
        return [_ENDING_ACTS[state.outcome]]
    if signals & RUDE_SIGNALS:
        return ["push_back"]
    if "uses_jargon" in signals:
        return ["ask_jargon"]
    if "closes" in signals and not state.satisfied:  # a goodbye too soon: what about...?
        return ["press"] if persona.agenda and open_needs(persona, state) else ["filler"]
    if state.turn == 1 and not acts and (not signals or signals <= _GREETING):
        return ["explain"]  # "Hello, how can I help?": a caller first says what it is about
    was_satisfied = _satisfied_before(state)
    if state.satisfied and not was_satisfied and (addressed or signals & _MEETS):
        return ["satisfied"]
    check = None if acts else check_kind(state)
    if state.satisfied:  # "anything else?" alone: nothing more, or the question left open
        if check == "agree":  # "Can you confirm Friday works?": yes, not "that's everything"
            return ["agree"]
        return ["ask_again"] if not was_satisfied and unanswered_question(state) else ["no_more"]
    body: list[str] = []
    if check == "repeat":
        return ["repeat"]  # "say that again?": the point again, no thanks for the "sorry"
    if "over_promises" in signals:
        body = ["challenge"]
    elif addressed:
        body = ["accept"]
    elif check in ("confirm", "agree"):
        body = [check]  # a read-back or a proposal: yes (then the open need), before sympathy
    else:
        body = [next((act for sig, act in _REACTIONS if sig in signals), "filler")]
        if body == ["filler"] and acts:
            body = []  # an answer is reply enough
    last = (body or acts or ["filler"])[-1]
    if (
        last in _PRESS_AFTER
        and open_needs(persona, state)
        and persona.agenda
        and _due(persona, state)
    ):
        body.append("press")
    return body


def _name_asked(persona: Persona, state: CallState) -> bool:
    """Whether the agent's last turn asked for the caller's own name (not one of the facts)."""
    if any("name" in fact for fact in persona.facts) or not state.transcript:
        return False
    last = state.transcript[-1]
    verifying = bool(state.records) and "asks_verification" in state.records[-1].signals
    return last.speaker == "agent" and asks_for_name(last.text, verifying)


def _agent_words(state: CallState, most: int = 6) -> str:
    """``{agent_words}``: the start of the agent's last sentence, a few words of it."""
    text = state.transcript[-1].text if state.transcript else ""
    sentence = re.split(r"(?<=[.!?])\s+", text.strip())[-1] if text.strip() else ""
    words = sentence.rstrip(".!?").split()
    return " ".join(words[:most]) + ("..." if len(words) > most else "")


def _satisfied_before(state: CallState) -> bool:
    """Whether the caller had already said they were satisfied before this turn."""
    return any(a == "satisfied" for r in state.records[:-1] for a in r.acts)


def _due(persona: Persona, state: CallState) -> bool:
    """An open need is pressed again only every ``press_after`` turns (and not on turn 1)."""
    if state.turn < 2:
        return False
    pressed = [r.turn for r in state.records[:-1] if "press" in r.acts]
    if pressed and state.turn - pressed[-1] < persona.persistence.press_after:
        return False
    return _has_fresh_press(persona, state)


def _has_fresh_press(persona: Persona, state: CallState) -> bool:
    """Whether the first open need still has a press line the caller has not said (a
    caller who has used every way of asking does not recite them again)."""
    needs = {n.id: n for n in persona.agenda}
    open_ = [needs[n] for n in open_needs(persona, state) if n in needs]
    if not open_ or not open_[0].press:
        return True  # the phrasebook's lines name the need: they differ by need
    said = " ".join(t.text for t in state.transcript if t.speaker == "customer")
    return any(line.split("{")[0] not in said for line in open_[0].press)


def _need_text(persona: Persona, state: CallState, met: bool) -> str:
    """``{need}``: the need met this turn (``met``), else the first one still open."""
    needs = {n.id: n for n in persona.agenda}
    record = state.records[-1] if state.records else None
    if met and record and record.addressed:
        return needs[record.addressed[-1]].need
    open_ = [n for n in open_needs(persona, state) if n in needs]
    return needs[open_[0]].need if open_ else "that"


def _say(persona: Persona, state: CallState, act: str, slots: dict[str, str]) -> str:
    """One act's line: an open need's own ``press`` lines, else by act and mood band."""
    slots = {**slots, "need": _need_text(persona, state, met=act == "accept")}
    if act == "press":
        need = next((n for n in persona.agenda if n.need == slots["need"]), None)
        if need is not None and need.press:
            return pick(need.press, state, act, slots)
    line = pick(lines_for(persona, act, persona.band(state.mood)), state, act, slots)
    if act == "confirm" and slots["facts"]:  # a read-back: "Yes, M14 5RT. That's right."
        yes = re.match(r"(yes|yeah|yep)\W*", line, re.IGNORECASE)
        rest = line[yes.end() :] if yes else line
        line = f"{yes.group(1) if yes else 'Yes'}, {slots['facts']}. {rest[:1].upper()}{rest[1:]}"
    return re.sub(r"(^|[.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), line)
