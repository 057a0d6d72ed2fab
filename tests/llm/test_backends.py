"""Backend selection, the scripted and fake backends, and stop-string cutting."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from trainer.llm import (
    Backend,
    BackendError,
    GenerationParams,
    StopFilter,
    available_backends,
    get_backend,
)
from trainer.llm.fake import FakeBackend
from trainer.llm.local import BUNDLED_ID, LocalBackend
from trainer.llm.openai_compat import OpenAIBackend
from trainer.llm.scripted import ScriptedBackend

PARAMS = GenerationParams()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("FRONTLINE_BACKEND", "FRONTLINE_MODEL", "FRONTLINE_OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_default_is_local_with_the_bundled_model():
    backend = get_backend()
    assert isinstance(backend, LocalBackend)
    assert backend.model_id == BUNDLED_ID
    assert backend._loaded is None  # nothing loads until the first reply


def test_name_and_model_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("FRONTLINE_BACKEND", "openai")
    monkeypatch.setenv("FRONTLINE_MODEL", "qwen2.5:0.5b")
    monkeypatch.setenv("FRONTLINE_OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    backend = get_backend()
    assert isinstance(backend, OpenAIBackend)
    assert backend.model_id == "qwen2.5:0.5b"
    assert backend.url("chat/completions") == "http://127.0.0.1:11434/v1/chat/completions"


def test_arguments_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("FRONTLINE_BACKEND", "openai")
    monkeypatch.setenv("FRONTLINE_MODEL", "from-env")
    backend = get_backend("local", model="some/folder")
    assert isinstance(backend, LocalBackend)
    assert backend.model_id == "some/folder"


def test_base_url_without_v1_gets_it():
    backend = get_backend("openai", model="m", base_url="http://example.invalid:8000")
    assert backend.url("completions") == "http://example.invalid:8000/v1/completions"


def test_unknown_name_says_what_is_available():
    with pytest.raises(ValueError) as err:
        get_backend("opanai")
    message = str(err.value)
    assert "Unknown backend 'opanai'" in message
    assert "Did you mean: openai?" in message
    for name in ("local", "openai", "scripted", "llamacpp"):
        assert name in message


def test_unknown_option_lists_the_allowed_ones():
    with pytest.raises(ValueError, match="takes no option 'base_url'.*none"):
        get_backend("scripted", base_url="http://x")
    with pytest.raises(ValueError, match="'colour'.*base_url"):
        get_backend("openai", model="m", colour="red")


def test_available_backends_describe_themselves():
    names = available_backends()
    assert {"local", "openai", "scripted", "llamacpp", "fake"} <= set(names)
    assert all(isinstance(about, str) and about for about in names.values())


def test_scripted_generates_nothing_and_imports_no_torch():
    backend = get_backend("scripted")
    assert isinstance(backend, Backend)
    assert backend.generates is False
    assert list(backend.stream([{"role": "user", "content": "hi"}], PARAMS)) == []
    assert list(backend.stream_text("Agent: hi\nCustomer:", PARAMS)) == []
    assert isinstance(ScriptedBackend(), Backend)


def test_scripted_backend_module_is_light():
    code = (
        "import sys; from trainer.llm import get_backend; get_backend('scripted');"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_fake_plays_outputs_in_order_in_pieces_and_records_calls():
    fake = FakeBackend(outputs=["Hello there.", "Second."], chunk=5)
    messages = [{"role": "user", "content": "hi"}]
    pieces = list(fake.stream(messages, PARAMS))
    assert pieces == ["Hello", " ther", "e."]
    assert "".join(fake.stream_text("Agent: x\nCustomer:", PARAMS)) == "Second."
    assert [call.kind for call in fake.calls] == ["chat", "text"]
    assert fake.messages == [messages]
    assert fake.prompts == ["Agent: x\nCustomer:"]
    request, params = fake.calls[0]
    assert request == messages and params is PARAMS
    assert isinstance(fake, Backend) and fake.generates


def test_fake_raises_when_exhausted_unless_cycling():
    fake = FakeBackend(outputs=["only"])
    assert "".join(fake.stream_text("p", PARAMS)) == "only"
    with pytest.raises(BackendError, match="no output left for call 2"):
        list(fake.stream_text("p", PARAMS))
    cycling = FakeBackend(outputs=["a", "b"], cycle=True)
    got = ["".join(cycling.stream_text("p", PARAMS)) for _ in range(5)]
    assert got == ["a", "b", "a", "b", "a"]


def test_fake_honours_stop_strings_and_plays_errors():
    fake = FakeBackend(outputs=["Fine.\nAgent: next", BackendError("down")], chunk=3)
    params = GenerationParams(stop=("\nAgent:",))
    assert "".join(fake.stream_text("p", params)) == "Fine."
    with pytest.raises(BackendError, match="down"):
        list(fake.stream_text("p", params))


def test_fake_is_safe_across_threads():
    fake = FakeBackend(outputs=[f"reply {i}" for i in range(40)])
    results: list[str] = []

    def worker() -> None:
        for _ in range(10):
            results.append("".join(fake.stream_text("p", PARAMS)))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == sorted(f"reply {i}" for i in range(40))


@pytest.mark.parametrize(
    ("pieces", "stop", "expected"),
    [
        (["Hel", "lo\nAg", "ent: x"], ("\nAgent:",), "Hello"),
        (["Hel", "lo\nA", "b"], ("\nAgent:",), "Hello\nAb"),
        (["a\n", "\nb"], ("\n\n", "\nAgent:"), "a"),
        (["no stop here"], (), "no stop here"),
        (["xAgent:y"], ("Agent:", "\nAgent:"), "x"),
        (["ab", "c"], ("abc",), ""),
    ],
)
def test_stop_filter_cuts_across_pieces(pieces, stop, expected):
    cut = StopFilter(stop)
    shown = "".join(cut.feed(p) for p in pieces) + cut.flush()
    assert shown == expected


def test_stop_filter_holds_back_a_possible_stop_until_decided():
    cut = StopFilter(("\nAgent:",))
    assert cut.feed("Hello\nAg") == "Hello"
    assert cut.feed("reed.") == "\nAgreed."
    assert cut.flush() == ""
