"""The clock of one reply: how long a model may stay silent, and when it must be done.

A phone call cannot wait: the customer starts answering within ``silence_s`` seconds of
the reply's start (``GenerationParams.reply_started``: a retry gets no fresh allowance),
says each next word within ``silence_s`` of the last, and is done by ``timeout_s``.
Only text counts: a server's keep-alive comments and empty events never move the clock.
"""

from __future__ import annotations

import time

from trainer.llm.base import BackendError, GenerationParams


class ReplyDeadline:
    """When the next text piece of one reply is due, from a monotonic clock."""

    def __init__(self, params: GenerationParams, silence_s: float | None = None) -> None:
        now = time.monotonic()
        self.started = params.reply_started if params.reply_started is not None else now
        self.silence_s = params.first_piece_s if silence_s is None else silence_s
        self.total_s = params.timeout_s
        self.end = self.started + self.total_s
        self.due = min(self.started + self.silence_s, self.end)
        self.got_text = False

    def left(self) -> float:
        """Seconds until the next text piece is due (negative once it is late)."""
        return self.due - time.monotonic()

    def text(self) -> None:
        """A text piece arrived: the next one is due ``silence_s`` from now."""
        self.got_text = True
        self.due = min(time.monotonic() + self.silence_s, self.end)

    def check(self, url: str) -> None:
        """Raise :meth:`error` when the next piece is late."""
        if self.left() <= 0:
            raise self.error(url)

    def error(self, url: str) -> BackendError:
        """The error for a missed deadline: which one, and what to check."""
        if self.due >= self.end:
            return BackendError(
                f"{url}: the reply took longer than {self.total_s:g} s, the most a caller waits."
            )
        if self.got_text:
            return BackendError(
                f"{url}: the stream stalled (no text for {self.silence_s:g} s). "
                "The server may be overloaded; check its log."
            )
        return BackendError(
            f"{url}: no answer within {self.silence_s:g} s (keep-alive comments do not count). "
            "The server may be overloaded or still loading the model; raise the timeout "
            "or check the server's log."
        )
