"""Any OpenAI-compatible server (vLLM, Ollama, llama.cpp server, TGI), stdlib only.

``stream`` posts to ``/v1/chat/completions`` and ``stream_text`` to ``/v1/completions``,
both with ``"stream": true``, and parse the server-sent events as they arrive. Stop
strings are sent to the server and also cut here, so the contract holds whatever the
server does with them. Every failure (refused, unknown host, timeout, HTTP error,
malformed stream) is a BackendError naming the URL, what happened and what to check.
A reply must start within ``params.first_piece_s`` and end within ``params.timeout_s``
(keep-alive comments do not count); after 2 failures in a row the circuit breaker
stops calling the server for 30 s, and ``outage()`` says so to the trainee.

Environment: ``FRONTLINE_OPENAI_BASE_URL`` (default ``http://localhost:8000/v1``),
``FRONTLINE_OPENAI_API_KEY``; the model name comes from the caller (``FRONTLINE_MODEL``
through ``get_backend``) or, when none is given, the server's first ``/v1/models`` entry.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from trainer.llm.base import Backend, BackendError, GenerationParams, Message, apply_stop
from trainer.llm.breaker import CircuitBreaker
from trainer.llm.deadline import ReplyDeadline
from trainer.llm.openai_wire import (
    CHECK,
    error_detail,
    event_text,
    parse_json,
    read_whole,
    sse_data,
)

DEFAULT_BASE_URL = "http://localhost:8000/v1"


class OpenAIBackend(Backend):
    """Streams replies from an OpenAI-compatible HTTP server, within a phone call's deadlines.

    Each reply must start within ``params.first_piece_s`` and end within
    ``params.timeout_s`` (see :class:`~trainer.llm.deadline.ReplyDeadline`); a
    :class:`~trainer.llm.breaker.CircuitBreaker` stops calling a server that keeps
    failing, so a dead one costs a turn nothing until it is tried again.
    """

    name = "openai"
    generates = True
    max_concurrency = 32
    """A server (vLLM, say) batches concurrent requests."""

    def __init__(
        self,
        base_url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        timeout: float | None = None,
        connect_timeout: float = 5.0,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        """``timeout``: seconds the server may stay silent, before its first text piece
        and between pieces (default: ``params.first_piece_s``); ``breaker``: default 2
        failures in a row open the circuit for 30 s."""
        base = base_url or os.environ.get("FRONTLINE_OPENAI_BASE_URL") or DEFAULT_BASE_URL
        parts = urlsplit(base.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BackendError(f"Not an http(s) URL: {base!r} (expected http://host:port/v1).")
        self.base_url = base.rstrip("/")
        self._parts = parts
        self._prefix = parts.path if parts.path.endswith("/v1") else parts.path + "/v1"
        self.api_key = api_key or os.environ.get("FRONTLINE_OPENAI_API_KEY") or None
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.breaker = breaker or CircuitBreaker()
        self._model = model

    @property
    def model_id(self) -> str:
        """The model asked for; looked up on the server when none was given (``unknown``
        while the server does not answer)."""
        if self._model is None:

            def lookup() -> Iterator[str]:
                yield self._first_model(ReplyDeadline(GenerationParams(), self.timeout))

            try:
                (self._model,) = self.breaker.watch(lookup())
            except BackendError:
                return "unknown"
        return self._model

    def outage(self) -> str | None:
        """A sentence for the trainee while the circuit is open (or on trial)."""
        if self.breaker.state == "closed":
            return None
        wait = self.breaker.retry_in()
        when = f"it is tried again in {wait:.0f} s" if wait else "it is being tried again"
        return f"The model server is not answering, so the customer speaks scripted lines; {when}."

    def url(self, endpoint: str) -> str:
        """The full URL of ``endpoint`` (``"chat/completions"``, ``"models"``...)."""
        netloc = self._parts.netloc
        return f"{self._parts.scheme}://{netloc}{self._prefix}/{endpoint}"

    def stream(self, messages: list[Message], params: GenerationParams) -> Iterator[str]:
        """Stream a chat reply from ``/v1/chat/completions``."""
        body = {"messages": messages, **_sampling(params)}
        return apply_stop(self._reply("chat/completions", body, params), params.stop)

    def stream_text(self, prompt: str, params: GenerationParams) -> Iterator[str]:
        """Stream a continuation of ``prompt`` from ``/v1/completions``."""
        body = {"prompt": prompt, **_sampling(params)}
        return apply_stop(self._reply("completions", body, params), params.stop)

    def _reply(
        self, endpoint: str, body: dict[str, Any], params: GenerationParams
    ) -> Iterator[str]:
        """The deadline, then the breaker, then the request (a generator: all lazy)."""
        deadline = ReplyDeadline(params, self.timeout)
        deadline.check(self.url(endpoint))  # a retry past the reply's deadline asks nobody
        yield from self.breaker.watch(self._events(endpoint, body, deadline))

    def _first_model(self, deadline: ReplyDeadline) -> str:
        url = self.url("models")
        conn, resp, sock = self._request("GET", "models", None, deadline)
        try:
            data = parse_json(read_whole(resp, sock, url, deadline), url)
        finally:
            conn.close()
        models = [m.get("id") for m in data.get("data", []) if isinstance(m, dict)]
        if not models or not models[0]:
            raise BackendError(f"{url} lists no models; pass one with --model or FRONTLINE_MODEL.")
        return str(models[0])

    def _events(
        self, endpoint: str, body: dict[str, Any], deadline: ReplyDeadline
    ) -> Iterator[str]:
        """Yield the text of each streamed event, each piece within ``deadline``."""
        url = self.url(endpoint)
        if self._model is None:
            self._model = self._first_model(deadline)
            deadline.check(url)
        body = {"model": self._model, **body}
        conn, resp, sock = self._request("POST", endpoint, body, deadline)
        try:
            if "text/event-stream" not in (resp.getheader("Content-Type") or ""):
                # Some servers ignore "stream": one JSON answer instead of events.
                data = parse_json(read_whole(resp, sock, url, deadline), url)
                yield event_text(data, url)
                return
            finished = False
            for data in sse_data(resp, sock, url, deadline):
                if data == "[DONE]":
                    return
                event = parse_json(data.encode("utf-8"), url)
                text = event_text(event, url)
                if text:
                    deadline.text()
                    yield text
                else:
                    deadline.check(url)  # an empty event does not move the clock
                choice = (event.get("choices") or [{}])[0]
                finished = finished or bool(choice.get("finish_reason"))
            if not finished:
                raise BackendError(f"{url} closed the stream before the reply finished. {CHECK}")
        finally:
            conn.close()

    def _request(
        self, method: str, endpoint: str, body: dict[str, Any] | None, deadline: ReplyDeadline
    ) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse, socket.socket]:
        """Send the request; the answer's headers must come before ``deadline``."""
        url = self.url(endpoint)
        https = self._parts.scheme == "https"
        cls = http.client.HTTPSConnection if https else http.client.HTTPConnection
        connect = max(min(self.connect_timeout, deadline.left()), 0.001)
        conn = cls(self._parts.hostname, self._parts.port, timeout=connect)
        headers = {"Accept": "text/event-stream, application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        try:
            try:
                conn.connect()
            except TimeoutError:
                raise BackendError(
                    f"{url}: could not connect within {connect:g} s. {CHECK}"
                ) from None
            sock = conn.sock  # the response keeps reading it after a "close" answer
            sock.settimeout(max(deadline.left(), 0.001))
            conn.request(method, f"{self._prefix}/{endpoint}", body=payload, headers=headers)
            resp = conn.getresponse()
        except BackendError:
            conn.close()
            raise
        except ConnectionRefusedError:
            conn.close()
            raise BackendError(f"{url}: connection refused. {CHECK}") from None
        except socket.gaierror as err:
            conn.close()
            raise BackendError(f"{url}: unknown host {self._parts.hostname!r} ({err}).") from None
        except TimeoutError:
            conn.close()
            raise deadline.error(url) from None
        except (OSError, http.client.HTTPException) as err:
            conn.close()
            raise BackendError(f"{url}: {err}. {CHECK}") from None
        if resp.status >= 400:
            detail = error_detail(resp)
            conn.close()
            hint = {401: " Check FRONTLINE_OPENAI_API_KEY.", 404: " Check the URL and model."}
            raise BackendError(
                f"{url} answered HTTP {resp.status} {resp.reason}: {detail}"
                f"{hint.get(resp.status, '')}"
            )
        return conn, resp, sock


def _sampling(params: GenerationParams) -> dict[str, Any]:
    body: dict[str, Any] = {
        "stream": True,
        "max_tokens": params.max_new_tokens,
        "temperature": params.temperature,
        "top_p": params.top_p,
    }
    if params.stop:
        body["stop"] = list(params.stop)[:4]  # OpenAI's limit; the rest is cut here
    if params.seed is not None:
        body["seed"] = params.seed
    return body
