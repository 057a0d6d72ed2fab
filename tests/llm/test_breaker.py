"""CircuitBreaker: closed, open after failures in a row, one trial when half-open."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from trainer.llm.base import BackendError
from trainer.llm.breaker import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def ok(*pieces: str) -> Iterator[str]:
    yield from pieces


def broken(after: int = 0) -> Iterator[str]:
    yield from ["piece"] * after
    raise BackendError("server down")


def test_failures_in_a_row_open_it_and_a_success_resets_the_count() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=3, cooldown_s=10, clock=clock)
    for fails in (True, True, False, True, True):
        if fails:
            with pytest.raises(BackendError):
                list(breaker.watch(broken()))
        else:
            assert list(breaker.watch(ok("hi"))) == ["hi"]
    assert breaker.state == "closed"  # 2 in a row, a success, 2 in a row: never 3
    with pytest.raises(BackendError, match="server down"):
        list(breaker.watch(broken(after=2)))  # dying mid-stream is a failure too
    assert breaker.state == "open" and breaker.retry_in() == 10
    with pytest.raises(BackendError, match=r"circuit open: not calling the backend for 10 s"):
        list(breaker.watch(ok("never asked")))
    assert "server down" in breaker.last_error


def test_half_open_lets_one_trial_through_at_a_time() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=1, cooldown_s=5, clock=clock)
    with pytest.raises(BackendError):
        list(breaker.watch(broken()))
    clock.now += 5
    assert breaker.state == "half-open" and breaker.retry_in() == 0
    trial = breaker.watch(ok("a", "b"))
    assert next(trial) == "a"  # the trial is in flight...
    with pytest.raises(BackendError, match="while one trial request is under way"):
        list(breaker.watch(ok("second")))
    assert list(trial) == ["b"]  # ...and answered: closed
    assert breaker.state == "closed"


def test_a_stream_closed_early_is_judged_by_whether_it_answered() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=1, cooldown_s=5, clock=clock)
    with pytest.raises(BackendError):
        list(breaker.watch(broken()))
    clock.now += 6
    unread = breaker.watch(ok("x"))
    next(unread)
    unread.close()  # closed after a piece (a stop string, a guard rejection): it answered
    assert breaker.state == "closed"
    inner = ok("y")
    watched = breaker.watch(inner)
    next(watched)
    watched.close()
    assert inner.gi_frame is None  # the request under it is closed too


def test_nothing_is_asked_until_the_stream_is_read() -> None:
    breaker = CircuitBreaker(failures=1, cooldown_s=5, clock=Clock())
    with pytest.raises(BackendError):
        list(breaker.watch(broken()))
    breaker.watch(ok("x"))  # not iterated: no error, no trial taken
    assert breaker.state == "open"


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="failures >= 1"):
        CircuitBreaker(failures=0)
