"""OpenAIBackend against a small real OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from trainer.llm import BackendError, GenerationParams
from trainer.llm.breaker import CircuitBreaker
from trainer.llm.openai_compat import OpenAIBackend

REPO = Path(__file__).resolve().parents[2]

MESSAGES = [{"role": "user", "content": "Hello?"}]


class FakeServer(ThreadingHTTPServer):
    """Answers like an OpenAI server; ``mode`` picks a behaviour, requests are recorded."""

    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.mode = "stream"
        self.chunked = False
        self.pieces = ["Third", " time", " I'm", " calling", "."]
        self.requests: list[dict] = []
        self.release = threading.Event()
        self.every = 0.2  # seconds between keep-alive comments or empty events

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class Handler(BaseHTTPRequestHandler):
    server: FakeServer

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self.server.requests.append({"path": self.path, "headers": dict(self.headers)})
        self._json(200, {"object": "list", "data": [{"id": "served-model"}]})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append({"path": self.path, "headers": dict(self.headers), **body})
        mode, chat = self.server.mode, self.path.endswith("/chat/completions")
        if mode == "slow":
            self.server.release.wait(5)
            return
        if mode == "500":
            self._json(500, {"error": {"message": "CUDA out of memory", "type": "server"}})
            return
        if mode == "json":
            message = {"message": {"content": "whole"}} if chat else {"text": "whole"}
            self._json(200, {"choices": [{"index": 0, **message, "finish_reason": "stop"}]})
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        if self.server.chunked:  # how uvicorn (vLLM) frames a stream
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if mode == "malformed":
            self._send("data: {not json\n\n")
            return
        if mode in ("keepalive", "empty"):  # alive, never a word: until released (or 60 s)
            empty = {"delta": {"role": "assistant"}} if chat else {"text": ""}
            beat = (
                ": keep-alive\n\n"
                if mode == "keepalive"
                else (f"data: {json.dumps({'choices': [{'index': 0, **empty}]})}\n\n")
            )
            for _ in range(int(60 / self.server.every)):
                if self.server.release.wait(self.server.every):
                    return
                try:
                    self._send(beat)
                except OSError:  # the client gave up
                    return
            return
        if mode == "headers-then-hang":
            self.server.release.wait(60)
            return
        for piece in self.server.pieces:
            delta = {"delta": {"content": piece}} if chat else {"text": piece}
            self._send(f"data: {json.dumps({'choices': [{'index': 0, **delta}]})}\n\n")
            if mode == "stall":
                self.server.release.wait(5)
                return
            if mode == "drip" and self.server.release.wait(0.05):
                return
            if mode == "dies":  # the server process is killed mid-stream: a reset, not a close
                linger = struct.pack("ii", 1, 0)
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                self.connection.close()
                return
        if mode == "truncated":
            return
        last = {"delta": {}} if chat else {"text": ""}
        event = {"choices": [{"index": 0, **last, "finish_reason": "stop"}]}
        self._send(f": keep-alive\n\ndata: {json.dumps(event)}\n\ndata: [DONE]\n\n")
        if self.server.chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _send(self, text: str) -> None:
        raw = text.encode()
        if self.server.chunked:
            raw = b"%x\r\n%s\r\n" % (len(raw), raw)
        self.wfile.write(raw)
        self.wfile.flush()

    def _json(self, status: int, data: dict) -> None:
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    srv = FakeServer()
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.release.set()
    srv.shutdown()
    srv.server_close()


@pytest.mark.parametrize("chunked", [False, True])
def test_chat_streams_pieces_in_order_with_the_sampling_settings(server, chunked):
    server.chunked = chunked
    backend = OpenAIBackend(server.url, model="m", api_key="sk-test")
    params = GenerationParams(max_new_tokens=20, temperature=0.3, top_p=0.9, seed=7)
    assert list(backend.stream(MESSAGES, params)) == server.pieces
    sent = server.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["headers"]["Authorization"] == "Bearer sk-test"
    assert sent["messages"] == MESSAGES and sent["model"] == "m" and sent["stream"] is True
    assert (sent["max_tokens"], sent["temperature"], sent["top_p"], sent["seed"]) == (
        20,
        0.3,
        0.9,
        7,
    )


def test_completions_stream_the_raw_continuation(server):
    backend = OpenAIBackend(server.url, model="m")
    text = "".join(backend.stream_text("Agent: Hi\nCustomer:", GenerationParams()))
    assert text == "Third time I'm calling."
    sent = server.requests[0]
    assert sent["path"] == "/v1/completions" and sent["prompt"] == "Agent: Hi\nCustomer:"
    assert "Authorization" not in sent["headers"] and "seed" not in sent


def test_stop_strings_are_sent_and_cut_here_even_across_pieces(server):
    server.pieces = ["Fine", ".\nAg", "ent: anything", " else?"]
    backend = OpenAIBackend(server.url, model="m")
    params = GenerationParams(stop=("\nAgent:", "\n\n"))
    assert "".join(backend.stream_text("p", params)) == "Fine."
    assert server.requests[0]["stop"] == ["\nAgent:", "\n\n"]


def test_api_key_and_base_url_come_from_the_environment(server, monkeypatch):
    monkeypatch.setenv("FRONTLINE_OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("FRONTLINE_OPENAI_API_KEY", "sk-env")
    assert list(OpenAIBackend(model="m").stream(MESSAGES, GenerationParams()))
    assert server.requests[0]["headers"]["Authorization"] == "Bearer sk-env"


def test_model_defaults_to_the_servers_first(server):
    backend = OpenAIBackend(server.url)
    assert list(backend.stream(MESSAGES, GenerationParams()))
    assert backend.model_id == "served-model"
    assert server.requests[0]["path"] == "/v1/models"
    assert server.requests[1]["model"] == "served-model"


def test_a_server_that_ignores_stream_still_works(server):
    server.mode = "json"
    backend = OpenAIBackend(server.url, model="m")
    assert list(backend.stream(MESSAGES, GenerationParams())) == ["whole"]
    assert list(backend.stream_text("p", GenerationParams())) == ["whole"]


def test_server_down_is_a_quick_clear_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = OpenAIBackend(f"http://127.0.0.1:{port}/v1", model="m")
    started = time.monotonic()
    with pytest.raises(BackendError) as err:
        list(backend.stream(MESSAGES, GenerationParams()))
    assert time.monotonic() - started < 10  # refused, not a timeout
    assert f"127.0.0.1:{port}/v1/chat/completions" in str(err.value)
    assert "refused" in str(err.value) and "FRONTLINE_OPENAI_BASE_URL" in str(err.value)


def test_slow_server_times_out(server):
    server.mode = "slow"
    backend = OpenAIBackend(server.url, model="m", timeout=0.3)
    with pytest.raises(BackendError, match=r"no answer within 0.3 s"):
        list(backend.stream(MESSAGES, GenerationParams()))


def test_a_stream_that_stalls_times_out_after_the_first_piece(server):
    server.mode = "stall"
    backend = OpenAIBackend(server.url, model="m")
    pieces = backend.stream(MESSAGES, GenerationParams(first_piece_s=0.3))
    assert next(pieces) == "Third"
    with pytest.raises(BackendError, match=r"stalled \(no text for 0.3 s\)"):
        next(pieces)


def test_http_500_reports_the_servers_message(server):
    server.mode = "500"
    backend = OpenAIBackend(server.url, model="m")
    with pytest.raises(BackendError) as err:
        list(backend.stream_text("p", GenerationParams()))
    assert "HTTP 500" in str(err.value) and "CUDA out of memory" in str(err.value)
    assert server.url + "/completions" in str(err.value)


@pytest.mark.parametrize(
    ("mode", "message"), [("malformed", "not JSON"), ("truncated", "closed the stream")]
)
def test_broken_streams_are_backend_errors(server, mode, message):
    server.mode = mode
    backend = OpenAIBackend(server.url, model="m")
    with pytest.raises(BackendError, match=message):
        list(backend.stream(MESSAGES, GenerationParams()))


def test_nothing_is_sent_until_the_stream_is_read(server):
    backend = OpenAIBackend(server.url, model="m")
    pieces = backend.stream(MESSAGES, GenerationParams())
    assert server.requests == []
    assert next(pieces) == "Third"
    pieces.close()


def test_not_a_url_is_rejected_at_once():
    with pytest.raises(BackendError, match="Not an http"):
        OpenAIBackend("localhost:8000", model="m")


# Deadlines and the circuit breaker, against the same real server misbehaving. Each
# test runs the reply in a thread and gives it BOUND seconds (a loaded machine's
# allowance, not a speed claim): without the deadlines these replies never end.
BOUND = 30.0


def _bounded(work):
    """``work()``'s result or exception; fails the test when it runs past BOUND seconds."""
    done: dict = {}

    def run() -> None:
        try:
            done["value"] = work()
        except BaseException as err:  # noqa: BLE001 - handed back to the test
            done["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(BOUND)
    assert not thread.is_alive(), f"still waiting after {BOUND:g} s: no deadline held"
    return done


@pytest.mark.parametrize("mode", ["keepalive", "empty"])
def test_keep_alives_do_not_extend_the_wait_for_a_first_word(server, mode):
    server.mode, server.every = mode, 0.1  # alive every 0.1 s, never a word
    backend = OpenAIBackend(server.url, model="m")
    done = _bounded(lambda: list(backend.stream(MESSAGES, GenerationParams(first_piece_s=0.8))))
    assert isinstance(done.get("error"), BackendError)
    assert "no answer within 0.8 s (keep-alive comments do not count)" in str(done["error"])


def test_the_whole_reply_has_a_cap_even_while_words_keep_coming(server):
    server.pieces = ["word "] * 400  # one every 0.05 s: 20 s in all
    server.mode = "drip"
    backend = OpenAIBackend(server.url, model="m")
    params = GenerationParams(first_piece_s=5, timeout_s=1.0)
    got: list[str] = []
    done = _bounded(lambda: got.extend(backend.stream(MESSAGES, params)))
    assert "took longer than 1 s" in str(done.get("error"))
    assert 0 < len(got) < 400  # words came, then the cap cut the reply


@pytest.mark.parametrize(
    ("mode", "message"),
    [("headers-then-hang", "no answer within 0.5 s"), ("dies", "broke off"), ("slow", "no answer")],
)
def test_a_hanging_or_dying_server_fails_within_the_deadline(server, mode, message):
    server.mode = mode
    backend = OpenAIBackend(server.url, model="m")
    done = _bounded(lambda: list(backend.stream(MESSAGES, GenerationParams(first_piece_s=0.5))))
    assert isinstance(done.get("error"), BackendError) and message in str(done["error"])


def test_a_retry_inside_the_same_reply_gets_no_fresh_allowance(server):
    server.mode = "slow"
    backend = OpenAIBackend(server.url, model="m")
    params = GenerationParams(first_piece_s=0.5, reply_started=time.monotonic())
    for _ in range(2):  # what the simulator's two attempts do
        with pytest.raises(BackendError, match="no answer within 0.5 s"):
            list(backend.stream_text("p", params))
    assert len(server.requests) == 1  # the second attempt was already late: nobody asked


def test_the_circuit_opens_after_two_failures_and_costs_nothing_then(server):
    server.mode = "slow"
    now = [1000.0]
    breaker = CircuitBreaker(failures=2, cooldown_s=30, clock=lambda: now[0])
    backend = OpenAIBackend(server.url, model="m", breaker=breaker, timeout=0.3)
    assert backend.outage() is None
    for _ in range(2):
        with pytest.raises(BackendError, match="no answer within 0.3 s"):
            list(backend.stream(MESSAGES, GenerationParams()))
    assert breaker.state == "open" and len(server.requests) == 2
    note = backend.outage()
    assert note and "scripted lines" in note and "30 s" in note
    done = _bounded(lambda: [list(backend.stream(MESSAGES, GenerationParams())) for _ in range(50)])
    assert "circuit open" in str(done.get("error")) and len(server.requests) == 2
    # Half-open after the cooldown: one trial request; the server is back, so it closes.
    server.mode = "stream"
    now[0] += 31
    assert breaker.state == "half-open"
    assert list(backend.stream(MESSAGES, GenerationParams())) == server.pieces
    assert breaker.state == "closed" and backend.outage() is None and len(server.requests) == 3


def test_a_failed_trial_opens_the_circuit_again(server):
    server.mode = "500"
    now = [0.0]
    backend = OpenAIBackend(
        server.url, model="m", breaker=CircuitBreaker(2, 10, clock=lambda: now[0])
    )
    for _ in range(2):
        with pytest.raises(BackendError, match="HTTP 500"):
            list(backend.stream_text("p", GenerationParams()))
    now[0] += 11
    with pytest.raises(BackendError, match="HTTP 500"):  # the one trial reaches the server
        list(backend.stream_text("p", GenerationParams()))
    with pytest.raises(BackendError, match="circuit open"):  # and it failed: open again
        list(backend.stream_text("p", GenerationParams()))
    assert len(server.requests) == 3 and backend.breaker.state == "open"


def test_a_dead_server_costs_a_practice_turn_nothing_once_the_circuit_is_open(server):
    """Through the simulator: a hung server, a scripted line every turn, one wait only."""
    from trainer.personas.loading import find_persona
    from trainer.simulation import Simulator
    from trainer.simulation.state import start_state

    class NoSignals:
        def analyse_turn(self, text, speaker, turn=0, context=""):
            return []

    server.mode = "slow"
    backend = OpenAIBackend(server.url, model="m")
    persona = find_persona("warm-up", REPO / "personas")  # a patient caller: no hang-up
    sim = Simulator(backend, NoSignals())
    sim.params = GenerationParams(max_new_tokens=20, first_piece_s=0.5)
    state = start_state(persona, "call-dead-server")

    def turns() -> list:
        nonlocal state
        records = []
        for line in ("Hello, how can I help?", "I see.", "Let me check.", "One moment."):
            stream = sim.reply(persona, state, line)
            state = stream.finish()
            records.append((stream.text, state.records[-1]))
        return records

    done = _bounded(turns)
    assert "error" not in done, done.get("error")
    assert len(done["value"]) == 4 and all(text for text, _ in done["value"])  # always answers
    # Scripted words every turn (a fallback line, or the beat's lead); the backend failed.
    assert all(set(r.guard_rejections) == {"backend_error"} for _, r in done["value"])
    assert len(server.requests) == 2  # one wait in each of the first two turns, then none
    assert backend.breaker.state == "open" and "scripted" in (backend.outage() or "")
