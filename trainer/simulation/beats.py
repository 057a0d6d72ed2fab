"""Choosing the scripted beat for this turn and the line to fall back on."""

from __future__ import annotations

from dataclasses import dataclass

from trainer.personas.loading import Beat, Condition, Persona
from trainer.simulation.answered import answered, last_agent_text
from trainer.simulation.planner import plan_reply
from trainer.simulation.state import CallState, worn_out


@dataclass(frozen=True)
class TurnPlan:
    """What the caller should do this turn: the acts, the authored line, the model's brief.

    ``fallback`` is the authored reply (said as it is when no model writes the line);
    ``lead`` is the part of it a model's reply must begin with (the answer to what was
    asked and the beat's line); ``directive`` tells a model what to do.
    """

    beat: Beat | None
    directive: str
    fallback: str
    acts: tuple[str, ...] = ()
    lead: str = ""


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
    """The first beat whose condition holds (and that has not fired, if it fires once).

    A beat that hangs up waits until the caller may hang up (``persistence``): a hard
    caller does not walk out after one bad line.
    """
    for beat in persona.beats:
        if beat.once and beat.id in state.fired_beats:
            continue
        if beat.end_call == "hang_up" and not worn_out(persona, state, signals):
            continue
        if condition_holds(beat.when, state, signals) and not _answered_already(beat, state):
            return beat
    return None


def _answered_already(beat: Beat, state: CallState) -> bool:
    """A beat that only asks what the agent's turn just answered waits ("How long will
    that take?" after "within 48 hours"); one that ends the call never waits."""
    agent = last_agent_text(state)
    return not beat.end_call and all(answered(line, agent) for line in beat.say)


def plan_turn(persona: Persona, state: CallState, signals: set[str]) -> TurnPlan:
    """The beat, acts, authored line and model directive for the caller's next reply.

    ``state`` is the state after the agent's turn has been applied. The facts the agent
    asked for are answered first, whatever else happens (``trainer.simulation.planner``).
    """
    beat = choose_beat(persona, state, signals)
    asked = state.records[-1].asked if state.records else ()
    plan = plan_reply(persona, state, signals, asked, beat)
    return TurnPlan(
        beat=beat, directive=plan.directive, fallback=plan.line, acts=plan.acts, lead=plan.lead
    )
