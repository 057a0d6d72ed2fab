"""One practice call: the caller's opening, then a streamed reply to every agent line.

Each agent turn: signals (the analyser) -> :func:`~trainer.simulation.step.step`, pure
(mood, facts, outcome; the beat for this turn; the prompt) -> :mod:`~trainer.simulation.streaming`
(backend stream -> in-character guard -> reply, or the scripted line). This module only
wires the analyser and the backend to those two.
A call never breaks and never stalls: when the model fails, drifts out of
character or its server is down, the caller says the persona's scripted line.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from trainer.llm.base import Backend, GenerationParams
from trainer.personas.loading import Persona
from trainer.simulation.prompt import Strategy, continuation_prefix
from trainer.simulation.state import CallState, start_state
from trainer.simulation.step import MAX_AGENT_CHARS, normalise_agent_text, step
from trainer.simulation.streaming import Pieces, Reply, ReplyStream, reply_pieces

if TYPE_CHECKING:
    from trainer.scoring.signals import Detection

__all__ = [
    "MAX_AGENT_CHARS",
    "CallEndedError",
    "ReplyStream",
    "SignalSource",
    "Simulator",
]


class CallEndedError(RuntimeError):
    """The call already has an outcome; start a new one (or rewind)."""


class SignalSource(Protocol):
    """Anything with ``analyse_turn(text, speaker, turn, context) -> list[Detection]``."""

    def analyse_turn(
        self, text: str, speaker: str, turn: int = 0, context: str = ""
    ) -> list[Detection]:
        """The signals found in one turn of ``speaker``; ``context``: the customer's line
        before an agent turn."""
        ...


@dataclass
class Simulator:
    """Plays a persona with a backend. Holds no per-call data: pass the state in and out."""

    backend: Backend
    analyzer: SignalSource
    strategy: Strategy = "continuation"
    max_attempts: int = 2
    params: GenerationParams = field(
        default_factory=lambda: GenerationParams(max_new_tokens=48, temperature=0.7, top_p=0.9)
    )
    hold_words: int = 6
    holdback_chars: int = 12

    def start(self, persona: Persona, call_id: str | None = None, seed: int = 0) -> CallState:
        """A new call; ``state.transcript[0]`` is the caller's opening line."""
        state = start_state(persona, call_id or f"call-{uuid.uuid4().hex[:12]}", seed=seed)
        self._prepare_next(persona, state)
        return state

    def _prepare_next(self, persona: Persona, state: CallState) -> None:
        """Let the backend read the next prompt's known beginning while the trainee types."""
        if self.strategy != "continuation" or state.ended:
            return
        if self.backend.generates:
            self.backend.prepare(continuation_prefix(persona, state))

    def reply(self, persona: Persona, state: CallState, agent_text: str) -> ReplyStream:
        """Stream the caller's reply to ``agent_text``; ``stream.state`` is the new state.

        The analyser and the backend run only as the stream is iterated.
        """
        if state.ended:
            raise CallEndedError(f"call {state.call_id} already ended ({state.outcome})")
        return ReplyStream(self._turn(persona, state, normalise_agent_text(agent_text)))

    def _turn(self, persona: Persona, state: CallState, agent_text: str) -> Pieces:
        """Analyse, plan, stream; then let the backend read ahead for the next turn."""
        said = [t.text for t in state.transcript if t.speaker == "customer"]
        detections = self.analyzer.analyse_turn(
            agent_text, "agent", len(state.transcript), context=said[-1] if said else ""
        )
        plan = step(persona, state, agent_text, {d.signal for d in detections}, self.strategy)
        reply: Reply = yield from reply_pieces(
            plan,
            persona,
            self.backend,
            params=self.params,
            max_attempts=self.max_attempts,
            hold_words=self.hold_words,
            holdback_chars=self.holdback_chars,
        )
        self._prepare_next(persona, reply.state)
        if not reply.state.ended:  # the caller's signals now: the trainee's next turn reads
            # them as its context, so their vectors are cached off the reply's critical path
            self.analyzer.analyse_turn(reply.text, "customer", len(reply.state.transcript) - 1)
        return reply
