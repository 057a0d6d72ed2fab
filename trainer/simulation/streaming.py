"""Streaming the caller's reply: a planned :class:`~trainer.simulation.step.Step` + a backend.

``reply_pieces(step, persona, backend, ...)`` is a generator of the text pieces to show;
its return value is the :class:`Reply` kept (text and new state). :class:`ReplyStream`
wraps such a generator for the callers: iterate it for the pieces, then read ``text``
and ``state``. Every generation goes through the in-character guard; whatever fails
(the model, the guard, the server) ends in the persona's scripted line.
"""

from __future__ import annotations

import logging
import re
import time
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass, replace

from trainer.llm.base import Backend, BackendError, GenerationParams
from trainer.personas.loading import Persona
from trainer.simulation.guard import check_prefix, check_reply, clean_reply, normalised
from trainer.simulation.prompt import STOP
from trainer.simulation.state import CallState
from trainer.simulation.step import Source, Step

# The name these warnings have always carried (the CLI's log lines show it).
log = logging.getLogger("trainer.simulation.call")


@dataclass(frozen=True)
class Reply:
    """The caller's reply as kept in the transcript, and the state after it."""

    text: str
    state: CallState


Pieces = Generator[str, None, Reply]
"""Text pieces to show as they come; the generator returns the :class:`Reply` kept."""


@dataclass
class ReplyStream:
    """The caller's reply as it streams. Iterate for text pieces; then read ``state``.

    Once the stream is exhausted, ``text`` is the reply as kept in the transcript. It
    differs from the streamed pieces only when the guard caught a late problem in text
    already shown (``revised`` is then True): a display should show ``text`` at the end.
    """

    _pieces: Pieces
    text: str = ""
    state: CallState | None = None
    shown: str = ""

    def __iter__(self) -> Iterator[str]:
        while True:
            try:
                piece = next(self._pieces)
            except StopIteration as done:
                if done.value is not None:  # None once the generator has already finished
                    self.text, self.state = done.value.text, done.value.state
                return
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


@dataclass(frozen=True)
class _Attempt:
    """What one generation came to."""

    emitted: str = ""  # the text shown (the pieces yielded, joined)
    rejection: str = ""
    final: str = ""  # the whole reply, when it passed the full check
    lead: str = ""  # the beat's scripted line the reply began with (continuation only)


def reply_pieces(
    step: Step,
    persona: Persona,
    backend: Backend,
    *,
    params: GenerationParams,
    max_attempts: int = 2,
    hold_words: int = 6,
    holdback_chars: int = 12,
) -> Pieces:
    """Stream the caller's reply to the planned ``step``; return the :class:`Reply` kept.

    Up to ``max_attempts`` generations, each with its own seed; once one has shown
    text there is no retry on top of it: its checked reply is kept, or the part of
    it that passes, or the scripted line replaces it.
    """
    text, shown = "", ""
    source: Source = "scripted"
    rejections: list[str] = []
    if backend.generates and step.strategy != "authored":
        params = replace(params, reply_started=time.monotonic())  # one deadline, all attempts
        for attempt in range(max_attempts):
            result = yield from _attempt(
                step, persona, backend, _params(params, step, attempt), hold_words, holdback_chars
            )
            if result.rejection:
                rejections.append(result.rejection)
            if result.emitted:
                shown = result.emitted
                text = _salvage(result, persona, step)
                source = "model" if text else "fallback"
                break
        if not text:
            source = "fallback"
    if not text:
        text = step.fallback
        if not shown:
            yield text
    return Reply(text=text, state=step.with_reply(text, source, tuple(rejections)))


def _params(params: GenerationParams, step: Step, attempt: int) -> GenerationParams:
    """The sampling settings of one attempt: a seed of its own, one line at most."""
    state = step.state
    seed = zlib.crc32(f"{state.seed}:{state.call_id}:{state.turn}:{attempt}".encode())
    return replace(params, seed=seed, stop=STOP)


def _attempt(
    step: Step,
    persona: Persona,
    backend: Backend,
    params: GenerationParams,
    hold_words: int,
    holdback_chars: int,
) -> Generator[str, None, _Attempt]:
    """One generation, streamed through the guard: yields safe text, returns what it came to."""
    state, agent_text, lead = step.state, step.agent_text, step.lead
    emitted = rejection = final = ""
    try:
        if isinstance(step.prompt, str):
            pieces = backend.stream_text(step.prompt, params)
        else:
            pieces = backend.stream([dict(m) for m in step.prompt], params)
        buf = lead
        if lead:
            yield lead
            emitted = lead
        for piece in pieces:
            if buf == lead and lead and piece[:1] not in ("", " ", "\n"):
                piece = " " + piece  # the model carries on after the lead's last word
            buf += piece
            text = clean_reply(buf)
            verdict = check_prefix(text, persona, state, agent_text)
            if not verdict.ok:
                rejection = verdict.reason
                _close(pieces)
                break
            if len(text.split()) < hold_words or _starts_like(text, agent_text):
                continue
            safe = _safe_prefix(text, holdback_chars)
            if len(safe) > len(emitted) and safe.startswith(emitted):
                yield safe[len(emitted) :]
                emitted = safe
        else:
            whole = clean_reply(buf)
            verdict = check_reply(whole, persona, state, agent_text)
            if not verdict.ok:
                rejection = verdict.reason
            elif whole.startswith(emitted):
                yield whole[len(emitted) :]
                emitted = final = whole
    except BackendError as err:
        log.warning("backend failed, playing the scripted line: %s", err)
        rejection = "backend_error"
    return _Attempt(emitted=emitted, rejection=rejection, final=final, lead=lead)


def _salvage(result: _Attempt, persona: Persona, step: Step) -> str:
    """The reply to keep from an attempt that streamed text: all of it when it passed,
    else its longest run of whole sentences that passes the full check, else nothing."""
    if result.final:
        return result.final
    text = result.emitted.strip()
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s|$)", text)]
    for end in reversed(ends):
        if check_reply(text[:end], persona, step.state, step.agent_text).ok:
            return text[:end]
    return result.lead


def _starts_like(reply: str, agent_text: str) -> bool:
    """True when the reply so far is the start of the trainee's own line (an echo)."""
    a, b = normalised(reply), normalised(agent_text)
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
