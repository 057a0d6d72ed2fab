"""Torch's CPU threads belong to the process: entry points set them, backends never do."""

from __future__ import annotations

import pytest
import torch

from trainer.llm import hardware, local
from trainer.llm.local import LocalBackend


@pytest.fixture
def thread_calls(monkeypatch) -> list[int]:
    """Every ``torch.set_num_threads`` call, none of them applied."""
    calls: list[int] = []
    monkeypatch.setattr(torch, "set_num_threads", calls.append)
    monkeypatch.setattr(torch, "get_num_threads", lambda: 8)
    return calls


def test_set_threads_takes_the_argument_then_the_environment(thread_calls, monkeypatch):
    monkeypatch.setenv("FRONTLINE_THREADS", "3")
    hardware.set_threads(2)
    hardware.set_threads()
    assert thread_calls == [2, 3]


def test_without_a_setting_threads_are_only_lowered(thread_calls, monkeypatch):
    monkeypatch.delenv("FRONTLINE_THREADS", raising=False)
    monkeypatch.setattr(hardware, "_usable_cpus", lambda: 4)
    hardware.set_threads()
    monkeypatch.setattr(hardware, "_usable_cpus", lambda: 64)
    hardware.set_threads()
    assert thread_calls == [3]


def test_building_and_loading_a_backend_leaves_the_threads_alone(thread_calls, monkeypatch):
    monkeypatch.setenv("FRONTLINE_THREADS", "1")
    monkeypatch.setattr(local, "load_model", lambda *a, **k: "a loaded model")
    for _ in range(2):
        assert LocalBackend("some/model", device="cpu").loaded == "a loaded model"
    assert thread_calls == []
