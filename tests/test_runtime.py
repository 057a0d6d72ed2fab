"""The entry points' builder: the backend (warmed up, threads set once), the simulator."""

from __future__ import annotations

import pytest

from trainer import runtime
from trainer.llm import hardware
from trainer.llm.fake import FakeBackend
from trainer.llm.local import LocalBackend


@pytest.fixture
def set_threads(monkeypatch) -> list[int | None]:
    calls: list[int | None] = []
    monkeypatch.setattr(hardware, "set_threads", lambda threads=None: calls.append(threads) or 1)
    return calls


def test_a_local_backend_gets_the_process_threads_before_warming_up(set_threads, monkeypatch):
    order: list[str] = []
    monkeypatch.setattr(LocalBackend, "warmup", lambda self: order.append(f"warmup {set_threads}"))
    torch_engine = LocalBackend(device="cpu", engine="transformers")
    monkeypatch.setattr(runtime, "get_backend", lambda *a, **k: torch_engine)
    assert isinstance(runtime.make_backend("local", strategy="continuation"), LocalBackend)
    assert set_threads == [None] and order == ["warmup [None]"]


def test_a_local_backend_on_llama_cpp_leaves_torch_threads_alone(set_threads, monkeypatch):
    monkeypatch.setattr(LocalBackend, "warmup", lambda self: None)
    monkeypatch.setattr("trainer.llm.llamacpp.llama_cpp_available", lambda: True)
    on_llama_cpp = LocalBackend(device="cpu", engine="llamacpp")
    monkeypatch.setattr(runtime, "get_backend", lambda *a, **k: on_llama_cpp)
    assert runtime.make_backend("local", strategy="continuation") is on_llama_cpp
    assert set_threads == []


def test_the_bundled_model_is_not_loaded_when_it_will_not_write_lines(set_threads, monkeypatch):
    order: list[str] = []
    monkeypatch.setattr(LocalBackend, "warmup", lambda self: order.append("warmup"))
    monkeypatch.setattr(runtime, "get_backend", lambda *a, **k: LocalBackend(device="cpu"))
    backend = runtime.make_backend("local")  # bundled model: the default strategy is authored
    assert backend.generates and order == []
    runtime.make_backend("local", strategy="continuation")
    assert order == ["warmup"]


def test_a_backend_without_torch_here_leaves_the_threads_alone(set_threads, monkeypatch):
    monkeypatch.setattr(runtime, "get_backend", lambda *a, **k: FakeBackend(outputs=[]))
    runtime.make_backend("fake")
    runtime.make_backend(no_model=True)
    assert set_threads == []


def test_the_default_strategy_follows_the_backend():
    from trainer.llm.fake import FakeBackend
    from trainer.llm.scripted import ScriptedBackend
    from trainer.runtime import default_strategy

    assert default_strategy(ScriptedBackend()) == "authored"
    bundled = FakeBackend(outputs=["x"])
    bundled.model_id = "bundled:smollm2-135m-instruct"
    assert default_strategy(bundled) == "authored"  # its own lines were rated 3 % good
    bigger = FakeBackend(outputs=["x"])
    bigger.model_id = "Qwen/Qwen2.5-7B-Instruct"
    assert default_strategy(bigger) == "continuation"


def test_a_backend_that_cannot_start_leaves_a_note_for_the_trainee(monkeypatch):
    from trainer.llm.base import BackendError

    def refuse(*args, **kwargs):
        raise BackendError("http://127.0.0.1:9/v1: connection refused.")

    monkeypatch.setattr(runtime, "get_backend", refuse)
    with pytest.warns(UserWarning, match="connection refused"):
        backend = runtime.make_backend("openai")
    assert backend.generates is False and "scripted lines" in (backend.outage() or "")
    assert runtime.make_backend(no_model=True).outage() is None  # no model asked for: no note
