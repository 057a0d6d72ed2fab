"""A backend with scripted outputs, for tests of every path that uses a model."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import NamedTuple

from trainer.llm.base import Backend, BackendError, GenerationParams, Message, apply_stop


class FakeCall(NamedTuple):
    """One call the fake received: what it was given (messages or prompt) and the params."""

    request: list[Message] | str
    params: GenerationParams

    @property
    def kind(self) -> str:
        """``"chat"`` for ``stream``, ``"text"`` for ``stream_text``."""
        return "text" if isinstance(self.request, str) else "chat"


class FakeBackend(Backend):
    """Plays ``outputs`` in order, one per call, in pieces of ``chunk`` characters.

    An output may also be an exception instance, which that call raises when
    iterated (say ``BackendError("server down")``). Stop strings in ``params.stop``
    are honoured like a real backend (the stop string is not yielded).

    When the outputs run out, the next call raises BackendError, unless
    ``cycle=True`` (then they start again). Raising is the default so that a
    test notices a call it did not expect (an extra guard retry, say).

    Every call is recorded in ``calls`` as a ``FakeCall(request, params)``
    (unpacks as a pair), in order; ``messages`` and ``prompts`` filter them.
    """

    name = "fake"
    model_id = "fake"
    generates = True

    def __init__(
        self, outputs: list[str | BaseException], chunk: int = 4, *, cycle: bool = False
    ) -> None:
        if chunk < 1:
            raise ValueError(f"chunk must be at least 1 (got {chunk})")
        self.outputs = list(outputs)
        self.chunk = chunk
        self.cycle = cycle
        self.calls: list[FakeCall] = []
        self._next = 0
        self._lock = threading.Lock()

    @property
    def messages(self) -> list[list[Message]]:
        """The message lists given to ``stream``, in order."""
        return [c.request for c in self.calls if not isinstance(c.request, str)]

    @property
    def prompts(self) -> list[str]:
        """The prompts given to ``stream_text``, in order."""
        return [c.request for c in self.calls if isinstance(c.request, str)]

    def stream(self, messages: list[Message], params: GenerationParams) -> Iterator[str]:
        """Record the messages (a copy); yield the next output."""
        return self._play([dict(m) for m in messages], params)

    def stream_text(self, prompt: str, params: GenerationParams) -> Iterator[str]:
        """Record the prompt; yield the next output."""
        return self._play(prompt, params)

    def _play(self, request: list[Message] | str, params: GenerationParams) -> Iterator[str]:
        with self._lock:
            self.calls.append(FakeCall(request, params))
            if self._next >= len(self.outputs) and self.cycle and self.outputs:
                self._next = 0
            if self._next >= len(self.outputs):
                output: str | BaseException = BackendError(
                    f"FakeBackend has no output left for call {len(self.calls)} "
                    f"(given {len(self.outputs)}); add outputs or pass cycle=True."
                )
            else:
                output = self.outputs[self._next]
                self._next += 1
        return apply_stop(self._pieces(output), params.stop)

    def _pieces(self, output: str | BaseException) -> Iterator[str]:
        if isinstance(output, BaseException):
            raise output
        for start in range(0, len(output), self.chunk):
            yield output[start : start + self.chunk]
