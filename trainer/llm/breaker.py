"""A circuit breaker: after repeated failures, stop calling a backend for a while.

A dead or hung model server must cost a practice call nothing per turn: after
``failures`` failed requests in a row the circuit *opens* and every request fails at
once with a :class:`~trainer.llm.base.BackendError` (the simulator then plays the
persona's scripted line). After ``cooldown_s`` it is *half-open*: one request is let
through as a trial (the others still fail at once); its success closes the circuit,
its failure opens it for another ``cooldown_s``. One breaker is shared by every
session that uses the backend, so one dead server is found out once, not per trainee.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Literal, TypeVar

from trainer.llm.base import BackendError

T = TypeVar("T")
State = Literal["closed", "open", "half-open"]


class CircuitBreaker:
    """Counts failures of one backend; refuses requests while the circuit is open."""

    def __init__(
        self,
        failures: int = 2,
        cooldown_s: float = 30.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failures < 1 or cooldown_s < 0:
            raise ValueError(
                f"need failures >= 1 and cooldown_s >= 0 (got {failures}, {cooldown_s})"
            )
        self.failures = failures
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._in_a_row = 0
        self._opened_at: float | None = None
        self._trial = False  # a half-open trial request is in flight
        self.last_error = ""

    @property
    def state(self) -> State:
        """``closed`` (requests go through), ``open`` (refused) or ``half-open`` (one trial)."""
        with self._lock:
            return self._state()

    def _state(self) -> State:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at < self.cooldown_s:
            return "open"
        return "half-open"

    def retry_in(self) -> float:
        """Seconds until the next trial request (0 when the circuit is not open)."""
        with self._lock:
            if self._opened_at is None:
                return 0.0
            return max(0.0, self.cooldown_s - (self._clock() - self._opened_at))

    def allow(self) -> None:
        """Let one request through, or raise :class:`BackendError` at once when open."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return
            if state == "half-open" and not self._trial:
                self._trial = True
                return
            assert self._opened_at is not None
            wait = max(0.0, self.cooldown_s - (self._clock() - self._opened_at))
            when = f"for {wait:.0f} s more" if wait else "while one trial request is under way"
            error = self.last_error
        raise BackendError(f"circuit open: not calling the backend {when} (last failure: {error})")

    def succeeded(self) -> None:
        """The request got an answer: the circuit closes."""
        with self._lock:
            self._in_a_row, self._opened_at, self._trial = 0, None, False

    def failed(self, error: BaseException) -> None:
        """The request failed: count it; open the circuit at ``failures`` in a row (or on a
        failed trial)."""
        with self._lock:
            self.last_error = str(error)[:300]
            self._in_a_row += 1
            if self._trial or self._in_a_row >= self.failures:
                self._opened_at = self._clock()
            self._trial = False

    def released(self) -> None:
        """The request ended with neither answer nor failure (closed unread): no verdict."""
        with self._lock:
            self._trial = False

    def watch(self, pieces: Iterator[T]) -> Iterator[T]:
        """``pieces`` through the breaker: allowed first, then judged by how they end.

        A generator, so nothing is asked of the breaker (or the server) until it is
        read. A :class:`BackendError` counts as a failure; reaching the end, or being
        closed after at least one piece, as a success.
        """
        self.allow()
        got = False
        verdict = False
        try:
            for piece in pieces:
                got = True
                yield piece
        except BackendError as err:
            self.failed(err)
            verdict = True
            raise
        else:
            self.succeeded()
            verdict = True
        finally:
            if not verdict:
                (self.succeeded if got else self.released)()
            close = getattr(pieces, "close", None)
            if close is not None:
                close()
