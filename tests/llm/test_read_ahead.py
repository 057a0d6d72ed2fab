"""Read-aheads are kept per model: one model's replies never wait for another's reads."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from trainer.llm import GenerationParams, local
from trainer.llm.local import LocalBackend
from trainer.llm.read_ahead import ReadAheads

START = "Transcript of a phone call.\nCustomer: My internet is down."
PROMPT = START + "\nAgent: I'm sorry.\nCustomer:"


def test_a_prompt_waits_only_for_its_own_models_reads():
    reads = ReadAheads()
    done = reads.start("model-a", START)
    assert done is not None and not done.is_set()
    assert reads.waits("model-a", PROMPT) == [done]
    assert reads.waits("model-b", PROMPT) == []
    assert reads.start("model-a", START) is None  # already being read
    assert reads.start("model-b", START) is not None  # the same prompt, another model
    reads.finish("model-a", START)
    assert done.is_set() and reads.waits("model-a", PROMPT) == []
    assert len(reads.pending()) == 1 and reads.pending("model-a") == []


def test_pending_reads_are_bounded_per_model():
    reads = ReadAheads(limit=2)
    assert reads.start("a", "one") and reads.start("a", "two")
    assert reads.start("a", "three") is None  # skipped: only a speed-up
    assert reads.start("b", "three") is not None
    reads.finish("a", "one")
    assert reads.start("a", "three") is not None


@pytest.fixture
def blocked_reads(monkeypatch):
    """Read-aheads that stay pending until the returned event is set; no model is loaded."""
    release, reading = threading.Event(), ReadAheads()
    monkeypatch.setattr(local, "_READING", reading)

    def read_ahead(self: LocalBackend, prompt: str) -> None:
        release.wait(timeout=120)  # past every wait below: a wrong wait shows
        reading.finish(self.model_key, prompt)

    monkeypatch.setattr(LocalBackend, "_read_ahead", read_ahead)
    monkeypatch.setattr(LocalBackend, "_generate", lambda self, ids, params: iter(["ok"]))
    yield release
    release.set()


READY = 30.0
"""Seconds a thread on a loaded machine gets to finish (it takes milliseconds idle)."""


def _reply(backend: LocalBackend) -> threading.Event:
    """Start a reply in a thread (no model: one-token prompt); the event is set when done."""
    backend._loaded = SimpleNamespace(encode=lambda text, special: [1, 2, 3])  # type: ignore[assignment]
    replied = threading.Event()

    def reply() -> None:
        list(backend.stream_text(PROMPT, GenerationParams()))
        replied.set()

    threading.Thread(target=reply, daemon=True).start()
    return replied


def test_two_models_read_aheads_do_not_collide(blocked_reads):
    LocalBackend("model-a", device="cpu").prepare(START)
    assert _reply(LocalBackend("model-b", device="cpu")).wait(timeout=READY)


def test_the_same_model_still_waits_for_its_read(blocked_reads):
    LocalBackend("model-a", device="cpu").prepare(START)
    replied = _reply(LocalBackend("model-a", device="cpu"))
    assert not replied.wait(timeout=0.3)
    blocked_reads.set()
    assert replied.wait(timeout=READY)
