"""Choosing the scripted beat for this turn and the line to fall back on."""

from __future__ import annotations

import random
from dataclasses import dataclass

from trainer.personas.loading import Beat, Condition, Persona
from trainer.simulation.state import CallState

# Said when the call ends and the persona has no beat of its own for it.
_ENDING_LINES = {
    "hung_up": ["That's it. I'm done with this. Goodbye.", "Forget it. I'm hanging up."],
    "resolved": ["Right. Thank you, that's what I needed.", "OK, thanks. That sorts it."],
    "escalated": ["Fine. Put them on.", "Finally. Go on then, transfer me."],
    "ended_by_agent": ["Fine. Whatever.", "Don't bother, then."],
}


@dataclass(frozen=True)
class TurnPlan:
    """What the caller should do this turn."""

    beat: Beat | None
    directive: str
    fallback: str


def condition_holds(when: Condition, state: CallState, signals: set[str]) -> bool:
    """True when every key given in ``when`` holds for this turn. An empty condition never holds."""
    checks: list[bool] = []
    if when.turn is not None:
        checks.append(state.turn == when.turn)
    if when.turn_at_least is not None:
        checks.append(state.turn >= when.turn_at_least)
    if when.mood_at_least is not None:
        checks.append(state.mood >= when.mood_at_least)
    if when.mood_at_most is not None:
        checks.append(state.mood <= when.mood_at_most)
    if when.signal is not None:
        wanted = [when.signal] if isinstance(when.signal, str) else list(when.signal)
        checks.append(any(s in signals for s in wanted))
    if when.after_beat is not None:
        checks.append(when.after_beat in state.fired_beats)
    return bool(checks) and all(checks)


def choose_beat(persona: Persona, state: CallState, signals: set[str]) -> Beat | None:
    """The first beat whose condition holds (and that has not fired, if it fires once)."""
    for beat in persona.beats:
        if beat.once and beat.id in state.fired_beats:
            continue
        if condition_holds(beat.when, state, signals):
            return beat
    return None


def _pick(lines: list[str], state: CallState, salt: str) -> str:
    """A deterministic choice for this call and turn, avoiding the line said last."""
    rng = random.Random(f"{state.seed}:{state.call_id}:{state.turn}:{salt}")
    said = {t.text for t in state.transcript if t.speaker == "customer"}
    fresh = [line for line in lines if line not in said] or lines
    return rng.choice(fresh)


def fact_answer(persona: Persona, names: tuple[str, ...]) -> str:
    """The scripted answer when the agent asks for facts: "It's NB-20417." and so on."""
    values = [persona.facts[name].value for name in names]
    if len(values) == 1:
        return f"It's {values[0]}."
    parts = [f"{name} {value}" for name, value in zip(names, values, strict=True)]
    text = ", ".join(parts) + "."
    return text[0].upper() + text[1:]


def plan_turn(
    persona: Persona, state: CallState, signals: set[str], revealed: tuple[str, ...] = ()
) -> TurnPlan:
    """The beat, model directive and scripted fallback line for the caller's next reply.

    ``state`` is the state after the agent's turn has been applied; ``revealed``
    names the facts the agent asked for in this turn (the caller gives them,
    unless a beat takes over).
    """
    beat = choose_beat(persona, state, signals)
    if beat is not None:
        line = _pick(beat.say, state, beat.id)
        directive = beat.directive or f'Say something like: "{line}"'
        return TurnPlan(beat=beat, directive=directive, fallback=line)
    if revealed and not state.ended:
        line = fact_answer(persona, revealed)
        wanted = ", ".join(revealed)
        return TurnPlan(beat=None, directive=f"Give the agent your {wanted}.", fallback=line)
    if state.ended:
        line = _pick(_ENDING_LINES[state.outcome], state, state.outcome)
        return TurnPlan(beat=None, directive=_ENDING_DIRECTIVES[state.outcome], fallback=line)
    band = persona.band(state.mood)
    line = _pick(persona.lines_for(band), state, band)
    return TurnPlan(beat=None, directive=_BAND_DIRECTIVES[band], fallback=line)


_BAND_DIRECTIVES = {
    "calm": "Answer the agent briefly and cooperatively.",
    "annoyed": "Answer the agent briefly; you are still annoyed and a little impatient.",
    "angry": "Answer the agent in one or two short, angry sentences. Do not be polite.",
}
_ENDING_DIRECTIVES = {
    "hung_up": "You have had enough. Say so angrily and hang up.",
    "resolved": "You are satisfied now. Thank the agent briefly and say goodbye.",
    "escalated": "The agent is transferring you to a supervisor. Accept it briefly.",
    "ended_by_agent": "The agent is ending the call. React briefly.",
}
