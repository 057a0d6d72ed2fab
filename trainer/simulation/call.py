"""One practice call: the caller's opening, then a streamed reply to every agent line.

Each agent turn: signals -> state.apply (mood, facts, outcome) -> beat for this turn
-> prompt -> backend stream -> in-character guard -> reply (or the scripted line).
A call never breaks and never stalls: when the model fails, drifts out of
character or its server is down, the caller says the persona's scripted line.
"""

from __future__ import annotations

import logging
import re
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from trainer.llm.base import Backend, BackendError, GenerationParams
from trainer.personas.loading import Persona
from trainer.simulation.beats import TurnPlan, plan_turn
from trainer.simulation.guard import check_prefix, check_reply, clean_reply
from trainer.simulation.prompt import (
    STOP,
    Strategy,
    chat_messages,
    continuation_prefix,
    continuation_prompt,
)
from trainer.simulation.state import CallState, apply_agent_turn, start_state
from trainer.transcripts.transcript import Turn

log = logging.getLogger(__name__)

MAX_AGENT_CHARS = 2000
"""Agent lines longer than this are cut (with a marker) before analysis and prompting."""

_END_CALL = {"hang_up": "hung_up", "escalated": "escalated"}


class CallEndedError(RuntimeError):
    """The call already has an outcome; start a new one (or rewind)."""


class SignalSource:
    """Anything with ``analyse_turn(text, speaker, turn) -> list[Detection]``."""

    def analyse_turn(self, text: str, speaker: str, turn: int = 0) -> list: ...  # pragma: no cover


@dataclass
class ReplyStream:
    """The caller's reply as it streams. Iterate for text pieces; then read ``state``.

    Once the stream is exhausted, ``text`` is the reply as kept in the transcript. It
    differs from the streamed pieces only when the guard caught a late problem in text
    already shown (``revised`` is then True): a display should show ``text`` at the end.
    """

    _pieces: Iterator[str]
    text: str = ""
    state: CallState | None = None
    shown: str = ""

    def __iter__(self) -> Iterator[str]:
        for piece in self._pieces:
            self.shown += piece
            self.text = self.shown
            yield piece

    @property
    def revised(self) -> bool:
        """True when the kept reply differs from the text that was streamed."""
        return self.state is not None and self.text != self.shown.strip()

    def finish(self) -> CallState:
        """Consume the rest of the stream and return the new state."""
        for _ in self:
            pass
        assert self.state is not None
        return self.state


@dataclass
class _Attempt:
    emitted: str = ""
    rejection: str = ""
    final: str = ""  # the whole reply, when it passed the full check
    lead: str = ""  # the beat's scripted line the reply began with (continuation only)


def _salvage(result: _Attempt, persona: Persona, state: CallState, agent_text: str) -> str:
    """The reply to keep from an attempt that streamed text: all of it when it passed,
    else its longest run of whole sentences that passes the full check, else nothing."""
    if result.final:
        return result.final
    text = result.emitted.strip()
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s|$)", text)]
    for end in reversed(ends):
        if check_reply(text[:end], persona, state, agent_text).ok:
            return text[:end]
    return result.lead


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
        prepare = getattr(self.backend, "prepare", None)
        if prepare is None or self.strategy != "continuation" or state.ended:
            return
        if self.backend.generates:
            prepare(continuation_prefix(persona, state))

    def reply(self, persona: Persona, state: CallState, agent_text: str) -> ReplyStream:
        """Stream the caller's reply to ``agent_text``; ``stream.state`` is the new state."""
        if state.ended:
            raise CallEndedError(f"call {state.call_id} already ended ({state.outcome})")
        stream = ReplyStream(iter(()))
        stream._pieces = self._run(persona, state, _normalise(agent_text), stream)
        return stream

    def _run(
        self, persona: Persona, state: CallState, agent_text: str, out: ReplyStream
    ) -> Iterator[str]:
        detections = self.analyzer.analyse_turn(agent_text, "agent", len(state.transcript))
        signals = {d.signal for d in detections}
        state, record = apply_agent_turn(persona, state, agent_text, signals)
        plan = plan_turn(persona, state, signals, record.revealed)
        if plan.beat is not None:
            update: dict = {"fired_beats": state.fired_beats + (plan.beat.id,)}
            if plan.beat.end_call and not state.ended:
                update["outcome"] = _END_CALL[plan.beat.end_call]
            state = state.model_copy(update=update)

        text, source, rejections = "", "scripted", []
        if self.backend.generates:
            for attempt in range(self.max_attempts):
                result = _Attempt()
                yield from self._attempt(persona, state, agent_text, plan, attempt, result)
                if result.rejection:
                    rejections.append(result.rejection)
                if result.emitted:
                    # Something was shown: no retry on top of it. Keep the checked reply,
                    # or the part of it that passes, or replace it with the scripted line.
                    text = _salvage(result, persona, state, agent_text)
                    source = "model" if text else "fallback"
                    break
            if not text:
                source = "fallback"
        if not text:
            text = plan.fallback
            if not out.text:
                yield text
        record = record.model_copy(
            update={
                "beat": plan.beat.id if plan.beat else None,
                "source": source,
                "guard_rejections": tuple(rejections),
            }
        )
        out.state = state.model_copy(
            update={
                "transcript": state.transcript + (Turn(speaker="customer", text=text),),
                "records": state.records[:-1] + (record,),
            }
        )
        out.text = text
        self._prepare_next(persona, out.state)

    def _attempt(
        self,
        persona: Persona,
        state: CallState,
        agent_text: str,
        plan: TurnPlan,
        attempt: int,
        result: _Attempt,
    ) -> Iterator[str]:
        """One generation, streamed through the guard. Sets ``result``; yields safe text."""
        seed = zlib.crc32(f"{state.seed}:{state.call_id}:{state.turn}:{attempt}".encode())
        params = replace(self.params, seed=seed, stop=STOP)
        try:
            if self.strategy == "chat":
                pieces = self.backend.stream(chat_messages(persona, state, plan.directive), params)
            else:
                # A beat's line leads the reply and the model carries on from it: the
                # trainer's scripted moment always happens (a 135M model asked to "demand
                # a supervisor" mostly does not), and it is shown at once.
                result.lead = plan.fallback if plan.beat is not None else ""
                prompt = continuation_prompt(persona, state, plan.directive)
                pieces = self.backend.stream_text(
                    f"{prompt} {result.lead}" if result.lead else prompt, params
                )
            buf = result.lead
            if result.lead:
                yield result.lead
                result.emitted = result.lead
            for piece in pieces:
                buf += piece
                text = clean_reply(buf)
                verdict = check_prefix(text, persona, state, agent_text)
                if not verdict.ok:
                    result.rejection = verdict.reason
                    _close(pieces)
                    break
                if len(text.split()) < self.hold_words or _starts_like(text, agent_text):
                    continue
                safe = _safe_prefix(text, self.holdback_chars)
                if len(safe) > len(result.emitted) and safe.startswith(result.emitted):
                    yield safe[len(result.emitted) :]
                    result.emitted = safe
            else:
                final = clean_reply(buf)
                verdict = check_reply(final, persona, state, agent_text)
                if not verdict.ok:
                    result.rejection = verdict.reason
                elif final.startswith(result.emitted):
                    yield final[len(result.emitted) :]
                    result.emitted = result.final = final
        except BackendError as err:
            log.warning("backend failed, playing the scripted line: %s", err)
            result.rejection = "backend_error"


def _normalise(agent_text: str) -> str:
    text = " ".join(agent_text.split())
    if len(text) > MAX_AGENT_CHARS:
        text = text[:MAX_AGENT_CHARS].rsplit(" ", 1)[0] + " …"
    return text or "…"


def _starts_like(reply: str, agent_text: str) -> bool:
    """True when the reply so far is the start of the trainee's own line (an echo)."""
    a = re.sub(r"\W+", " ", reply.lower()).strip()
    b = re.sub(r"\W+", " ", agent_text.lower()).strip()
    return len(a) >= 8 and b.startswith(a)


def _safe_prefix(text: str, holdback: int) -> str:
    """The part of ``text`` that can be shown now: whole words, ``holdback`` chars kept back."""
    cut = text[: max(0, len(text) - holdback)]
    space = cut.rfind(" ")
    return cut[: space + 1] if space >= 0 else ""


def _close(pieces: Iterator[str]) -> None:
    close = getattr(pieces, "close", None)
    if close is not None:
        close()
