"""The ``openai`` backend against a real OpenAI-compatible server on 127.0.0.1.

The server is llama-cpp-python's own (``python -m llama_cpp.server``) with the bundled
GGUF, started by the test: streaming, stop strings, two requests at once, and a server
killed mid-stream (a BackendError, never a hang). Skipped where ``llama_cpp`` (with its
``[server]`` extras) does not import. Timeouts are sized for a loaded 2-core machine.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace

import pytest

from trainer.llm import BackendError, GenerationParams
from trainer.llm.breaker import CircuitBreaker
from trainer.llm.engines.bundled import find_gguf
from trainer.llm.openai_compat import OpenAIBackend

try:
    import llama_cpp.server.app  # noqa: F401
except ImportError:
    pytest.skip("llama-cpp-python[server] is not installed", allow_module_level=True)

pytestmark = pytest.mark.slow

STARTUP_S = 180  # model load on a loaded 2-core machine
PARAMS = GenerationParams(
    max_new_tokens=24, temperature=0, timeout_s=240, first_piece_s=120, seed=1
)
PROMPT = "Agent: Thank you for calling, how can I help?\nCustomer: My internet"
MESSAGES = [
    {"role": "system", "content": "You are Derek, an angry customer. One sentence."},
    {"role": "user", "content": "Thank you for calling Northwind Broadband, how can I help?"},
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server() -> tuple[subprocess.Popen, str]:
    port = _free_port()
    # llama.cpp logs a lot: a pipe nobody reads would block it. Closed by _stop.
    log = tempfile.TemporaryFile()  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(find_gguf().path)]
        + ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "1"]
        # By default a new request cuts the one being streamed short: queue them instead.
        + ["--interrupt_requests", "False"],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    server.log = log  # type: ignore[attr-defined]
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"llama_cpp.server exited: {log.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/models", timeout=5) as answer:
                if answer.status == 200:
                    return server, base
        except OSError:
            time.sleep(0.5)
    _stop(server)
    raise RuntimeError(f"llama_cpp.server did not answer within {STARTUP_S} s")


def _stop(server: subprocess.Popen) -> None:
    server.kill()
    server.wait(timeout=30)
    server.log.close()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    server, base = _start_server()
    yield base
    _stop(server)


def test_streams_chat_and_text_in_several_pieces(served):
    backend = OpenAIBackend(base_url=served)
    pieces = list(backend.stream(MESSAGES, PARAMS))
    assert len(pieces) > 1 and "".join(pieces).strip()
    assert "<|im_" not in "".join(pieces)
    text = list(backend.stream_text(PROMPT, PARAMS))
    assert len(text) > 1 and "".join(text).strip()


def test_stop_strings_cut_the_reply(served):
    backend = OpenAIBackend(base_url=served)
    full = "".join(backend.stream_text(PROMPT, PARAMS))
    words = full.split()
    assert len(words) >= 3, full
    stop = words[2]
    cut = "".join(backend.stream_text(PROMPT, replace(PARAMS, stop=(stop,))))
    assert stop not in cut
    assert cut == full[: full.index(stop)]


def test_two_requests_at_once_both_get_their_reply(served):
    backend = OpenAIBackend(base_url=served)
    alone = "".join(backend.stream_text(PROMPT, PARAMS))
    results: dict[int, str] = {}
    errors: list[BaseException] = []

    def ask(i: int) -> None:
        try:
            results[i] = "".join(backend.stream_text(PROMPT, PARAMS))
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * PARAMS.timeout_s)
    assert not errors and sorted(results) == [0, 1]
    assert results[0] == results[1] == alone  # greedy: the same text, not mixed up


def _read_until_killed(
    backend: OpenAIBackend, server: subprocess.Popen, seed: int
) -> list[BaseException | str]:
    """Stream a long reply, kill the server after its first piece; what the reader saw."""
    long = replace(PARAMS, max_new_tokens=400, temperature=1.0, seed=seed)
    pieces = backend.stream_text("Customer: Let me tell you the whole story.", long)
    outcome: list[BaseException | str] = []

    def read() -> None:
        try:
            for _ in pieces:
                if server.poll() is None:
                    server.kill()  # after the first piece
            outcome.append("ended")
        except BaseException as err:  # noqa: BLE001 - asserted by the caller
            outcome.append(err)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=PARAMS.first_piece_s + 60)
    assert not reader.is_alive(), "the reply hung after the server died"
    return outcome


def test_a_server_killed_mid_stream_is_a_backend_error_not_a_hang():
    server, base = _start_server()
    try:
        backend = OpenAIBackend(base_url=base, breaker=CircuitBreaker())
        tries: list[list[BaseException | str]] = []
        # A sampled reply can be empty (the model's end token first, as seen once on
        # CI): then nothing was killed, so try another seed rather than pass or fail.
        for seed in (1, 2, 3):
            tries.append(_read_until_killed(backend, server, seed))
            if server.poll() is not None:
                break
        assert server.poll() is not None, f"no text came before the kill: {tries}"
        outcome = tries[-1]
        assert isinstance(outcome[0], BackendError), outcome
        assert base.split("/v1")[0] in str(outcome[0])
    finally:
        _stop(server)
