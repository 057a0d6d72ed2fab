"""Read-aheads are kept per model: one model's replies never wait for another's reads.

``prepare`` reads ahead on llama.cpp (``LlamaCppBackend``, also behind ``LocalBackend``
for a GGUF); no model is loaded here.
"""

from __future__ import annotations

import threading

import pytest

from trainer.llm import GenerationParams, llamacpp
from trainer.llm.llamacpp import LlamaCppBackend
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
    monkeypatch.setattr(llamacpp, "_READING", reading)
    monkeypatch.setattr(llamacpp, "llama_cpp_available", lambda: True)

    def read_ahead(self: LlamaCppBackend, prompt: str) -> None:
        release.wait(timeout=120)  # past every wait below: a wrong wait shows
        reading.finish(self.model_id, prompt)

    monkeypatch.setattr(LlamaCppBackend, "_read_ahead", read_ahead)
    monkeypatch.setattr(LlamaCppBackend, "_run", lambda self, kind, request, params: iter(["ok"]))
    yield release
    release.set()


@pytest.fixture
def ggufs(tmp_path) -> tuple[str, str]:
    """Two GGUF files (never loaded)."""
    paths = tmp_path / "a.gguf", tmp_path / "b.gguf"
    for path in paths:
        path.write_bytes(b"GGUF")
    return str(paths[0]), str(paths[1])


READY = 30.0
"""Seconds a thread on a loaded machine gets to finish (it takes milliseconds idle)."""


def _reply(backend: LocalBackend) -> threading.Event:
    """Start a reply in a thread; the event is set when done."""
    replied = threading.Event()

    def reply() -> None:
        assert "".join(backend.stream_text(PROMPT, GenerationParams())) == "ok"
        replied.set()

    threading.Thread(target=reply, daemon=True).start()
    return replied


def test_two_models_read_aheads_do_not_collide(blocked_reads, ggufs):
    LocalBackend(ggufs[0], device="cpu").prepare(START)
    assert _reply(LocalBackend(ggufs[1], device="cpu")).wait(timeout=READY)


def test_the_same_model_still_waits_for_its_read(blocked_reads, ggufs):
    first = LocalBackend(ggufs[0], device="cpu")
    assert first.engine == "llamacpp"
    first.prepare(START)
    replied = _reply(LocalBackend(ggufs[0], device="cpu"))
    assert not replied.wait(timeout=0.3)
    blocked_reads.set()
    assert replied.wait(timeout=READY)
