"""The one small interface every generation backend implements."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

Message = dict[str, str]
"""A chat message: ``{"role": "system" | "user" | "assistant", "content": str}``."""

DEFAULT_CONCURRENCY = 2
"""Replies generated at once by a backend that declares no ``max_concurrency``."""


FIRST_PIECE_S = 6.0
"""On a phone call the customer starts answering within a few seconds, or not at all."""


@dataclass(frozen=True)
class GenerationParams:
    """Sampling settings and deadlines for one reply.

    The deadlines count from ``reply_started`` (``time.monotonic()`` when the reply
    began, so a retry does not get a fresh allowance), or from the request when it is
    ``None``. A server's keep-alive comments and empty events never extend them.
    """

    max_new_tokens: int = 60
    temperature: float = 0.8
    top_p: float = 0.95
    seed: int | None = None
    stop: tuple[str, ...] = field(default_factory=tuple)
    timeout_s: float = 30.0
    """The whole reply's cap, in seconds."""
    first_piece_s: float = FIRST_PIECE_S
    """Seconds until a model server's first text piece (a model in this process, which
    cannot hang on a network, is bounded by ``timeout_s`` only)."""
    reply_started: float | None = None


class BackendError(RuntimeError):
    """A backend could not produce text (server down, model missing, ...).

    The message says what went wrong and what to do about it.
    """


@runtime_checkable
class Backend(Protocol):
    """A text generator.

    ``stream`` takes chat messages; ``stream_text`` continues a raw prompt
    (the transcript-continuation strategy). Both yield text pieces as they are
    generated and stop at any of ``params.stop`` (the stop string itself is not
    yielded). ``generates`` is False for the scripted backend, which has no
    model: the simulator then plays the persona's scripted lines directly.

    The abilities ``prepare``, ``warmup``, ``max_concurrency`` and ``outage`` are
    declared here with defaults (no-ops; 2 replies at once; never out), so a backend
    that subclasses ``Backend`` only overrides those it has, and callers never probe
    for them.
    """

    name: str
    model_id: str
    generates: bool

    def stream(self, messages: list[Message], params: GenerationParams) -> Iterator[str]: ...

    def stream_text(self, prompt: str, params: GenerationParams) -> Iterator[str]: ...

    @property
    def max_concurrency(self) -> int:
        """How many replies are worth generating at once (the app's queue size)."""
        return DEFAULT_CONCURRENCY

    def warmup(self) -> None:
        """Load the model now (and run it once), so the first reply is not slower."""
        return None

    def prepare(self, prompt: str) -> None:
        """Start reading ``prompt``, the known start of the next one; return at once.

        A later ``stream_text`` whose prompt begins with ``prompt`` may then read only
        the rest. Nothing is read by default.
        """
        return None

    def outage(self) -> str | None:
        """``None`` while replies can come from the model; else one sentence for the
        trainee saying why the customer speaks scripted lines for now."""
        return None


class StopFilter:
    """Cuts a stream of text pieces at the first stop string, even across pieces.

    ``feed`` returns the text that is safe to show now; text that could be the start
    of a stop string is held back until the next piece decides it. ``flush`` returns
    what is still held when the stream ends. The stop string itself is never returned.
    """

    def __init__(self, stop: tuple[str, ...] | list[str] = ()) -> None:
        self.stops = tuple(s for s in stop if s)
        self.stopped = False
        self._held = ""

    def feed(self, piece: str) -> str:
        """Add ``piece``; return the text now known to come before any stop string."""
        if self.stopped:
            return ""
        text = self._held + piece
        found = [i for i in (text.find(s) for s in self.stops) if i >= 0]
        if found:
            self.stopped, self._held = True, ""
            return text[: min(found)]
        hold = 0
        for stop in self.stops:
            for size in range(min(len(stop) - 1, len(text)), hold, -1):
                if text.endswith(stop[:size]):
                    hold = size
                    break
        self._held = text[len(text) - hold :]
        return text[: len(text) - hold]

    def flush(self) -> str:
        """The held-back text, at the end of the stream (empty after a stop)."""
        text, self._held = ("" if self.stopped else self._held), ""
        return text


def apply_stop(pieces: Iterator[str], stop: tuple[str, ...]) -> Iterator[str]:
    """Yield ``pieces`` up to the first stop string; close ``pieces`` once it is found."""
    cut = StopFilter(stop)
    try:
        for piece in pieces:
            text = cut.feed(piece)
            if text:
                yield text
            if cut.stopped:
                return
        tail = cut.flush()
        if tail:
            yield tail
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            close()
