"""The pure half of one agent turn: what the caller will do, decided before any model runs.

``step(persona, state, agent_text, signals) -> Step``: the agent's line applied to the
state (mood, facts, outcome), the beat that fires, the scripted line to fall back on and
the prompt for the model. No backend, no analyser, no I/O: the agent signals are an
input, and the same input always gives the same plan. :meth:`Step.with_reply` then
records the reply the caller gave (tau2-bench's state in, state out).
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from typing import Literal

from trainer.llm.base import Message
from trainer.outcomes import BEAT_ENDINGS
from trainer.personas.loading import Beat, Persona
from trainer.simulation.beats import TurnPlan, plan_turn
from trainer.simulation.prompt import Strategy, chat_prompt, continuation_prompt
from trainer.simulation.state import CallState, TurnRecord, apply_agent_turn
from trainer.transcripts.transcript import Turn

MAX_AGENT_CHARS = 2000
"""Agent lines longer than this are cut (with a marker) before analysis and prompting."""


Source = Literal["model", "scripted", "fallback"]
"""Where the kept reply came from (``TurnRecord.source``)."""


def normalise_agent_text(agent_text: str) -> str:
    """The agent's line as analysed and prompted: one line, at most about MAX_AGENT_CHARS.

    Not idempotent on very long lines (the cut adds a marker): normalise once.
    """
    text = " ".join(agent_text.split())
    if len(text) > MAX_AGENT_CHARS:
        text = text[:MAX_AGENT_CHARS].rsplit(" ", 1)[0] + " …"
    return text or "…"


@dataclass(frozen=True)
class Step:
    """The plan for the caller's reply to one agent line.

    ``state`` is the call after the agent's line (and the beat, if one fired) but before
    the caller's reply; its last record is this turn's, still without beat and source.
    ``prompt`` is what the model is given: the transcript to continue (ending with
    ``lead``, the beat's line the reply begins with) or the chat messages.
    """

    state: CallState
    agent_text: str
    plan: TurnPlan
    strategy: Strategy
    lead: str
    prompt: str | tuple[Message, ...]

    @property
    def beat(self) -> Beat | None:
        """The persona's beat that fires this turn, if any."""
        return self.plan.beat

    @property
    def fallback(self) -> str:
        """The scripted line the caller says when no model reply is kept."""
        return self.plan.fallback

    @property
    def ended(self) -> bool:
        """True when this turn ends the call (the caller's reply is its last line)."""
        return self.state.ended

    @property
    def record(self) -> TurnRecord:
        """This turn's record, as the agent's line left it."""
        return self.state.records[-1]

    def with_reply(
        self, text: str, source: Source = "scripted", rejections: tuple[str, ...] = ()
    ) -> CallState:
        """The state after the caller says ``text``: transcript and this turn's record."""
        record = self.record.model_copy(
            update={
                "beat": self.beat.id if self.beat else None,
                "acts": self.plan.acts,
                "source": source,
                "guard_rejections": tuple(rejections),
            }
        )
        return self.state.model_copy(
            update={
                "transcript": self.state.transcript + (Turn(speaker="customer", text=text),),
                "records": self.state.records[:-1] + (record,),
            }
        )


def step(
    persona: Persona,
    state: CallState,
    agent_text: str,
    signals: Set[str],
    strategy: Strategy = "continuation",
) -> Step:
    """Plan the caller's reply to ``agent_text`` (already normalised) showing ``signals``.

    Pure: mood, revealed facts and outcome from the agent's line, then the beat for
    this turn (marked fired; an ``end_call`` beat ends the call), the fallback line
    and the prompt for ``strategy``.
    """
    signals = set(signals)
    state, _ = apply_agent_turn(persona, state, agent_text, signals)
    plan = plan_turn(persona, state, signals)
    if plan.beat is not None:
        update: dict = {"fired_beats": state.fired_beats + (plan.beat.id,)}
        if plan.beat.end_call and not state.ended:
            update["outcome"] = BEAT_ENDINGS[plan.beat.end_call]
        state = state.model_copy(update=update)
    # The answer to what was asked and a beat's line lead the reply and a model carries on
    # from them: the facts are always given and the trainer's scripted moment always
    # happens (a 135M model asked to "demand a supervisor" mostly does not).
    lead = plan.lead
    if strategy == "authored":
        prompt: str | tuple[Message, ...] = ""
    elif strategy == "chat":
        lead = ""
        prompt = tuple(chat_prompt(persona, state, plan.directive))
    else:
        text = continuation_prompt(persona, state, plan.directive)
        prompt = f"{text} {lead}" if lead else text
    return Step(
        state=state,
        agent_text=agent_text,
        plan=plan,
        strategy=strategy,
        lead=lead,
        prompt=prompt,
    )
