"""The abilities every backend declares (prepare, warmup, max_concurrency), never probed for."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest

from trainer import runtime
from trainer.llm import Backend, GenerationParams, Message
from trainer.llm.__init__ import _REGISTRY
from trainer.llm.base import DEFAULT_CONCURRENCY
from trainer.llm.fake import FakeBackend
from trainer.llm.llamacpp import LlamaCppBackend
from trainer.llm.local import LocalBackend
from trainer.llm.openai_compat import OpenAIBackend
from trainer.llm.scripted import ScriptedBackend


class Minimal(Backend):
    """A backend that implements only what it must."""

    name = "minimal"
    model_id = "minimal"
    generates = True

    def stream(self, messages: list[Message], params: GenerationParams) -> Iterator[str]:
        return iter(["hi"])

    def stream_text(self, prompt: str, params: GenerationParams) -> Iterator[str]:
        return iter(["hi"])


def test_a_backend_without_abilities_gets_the_base_no_ops():
    backend = Minimal()
    assert backend.prepare("Customer: hello") is None
    assert backend.warmup() is None
    assert backend.max_concurrency == DEFAULT_CONCURRENCY
    assert backend.outage() is None
    assert isinstance(backend, Backend)


def test_make_backend_warms_up_a_backend_that_has_no_warmup(monkeypatch):
    monkeypatch.setattr(runtime, "get_backend", lambda *a, **k: Minimal())
    assert isinstance(runtime.make_backend("minimal"), Minimal)


def test_every_registered_backend_subclasses_the_protocol():
    for module, cls_name, _ in _REGISTRY.values():
        cls = getattr(importlib.import_module(module), cls_name)
        assert Backend in cls.__mro__, cls_name  # explicit: it inherits the defaults
        assert callable(cls.prepare) and callable(cls.warmup)


def test_each_backend_declares_how_many_replies_to_run_at_once():
    assert ScriptedBackend().max_concurrency == 16
    assert OpenAIBackend(model="m", base_url="http://example.invalid/v1").max_concurrency == 32
    assert LlamaCppBackend.max_concurrency == 1
    assert FakeBackend(outputs=[]).max_concurrency == DEFAULT_CONCURRENCY


@pytest.mark.parametrize(
    ("device", "engine", "expected"),
    [
        ("cpu", "transformers", 1),
        ("cuda:0", None, 2),
        ("mps", "transformers", 2),
        ("mps", "llamacpp", 1),
    ],
)
def test_local_concurrency_follows_the_device_without_loading(
    device, engine, expected, monkeypatch
):
    monkeypatch.setattr("trainer.llm.llamacpp.llama_cpp_available", lambda: True)
    backend = LocalBackend(device=device, engine=engine)
    assert backend.max_concurrency == expected
    assert backend._loaded is None
