"""Any OpenAI-compatible server (vLLM, Ollama, llama.cpp server, TGI), stdlib only.

``stream`` posts to ``/v1/chat/completions`` and ``stream_text`` to ``/v1/completions``,
both with ``"stream": true``, and parse the server-sent events as they arrive. Stop
strings are sent to the server and also cut here, so the contract holds whatever the
server does with them. Every failure (refused, unknown host, timeout, HTTP error,
malformed stream) is a BackendError naming the URL, what happened and what to check.

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

DEFAULT_BASE_URL = "http://localhost:8000/v1"
CHECK = "Check that the server is running and FRONTLINE_OPENAI_BASE_URL (or --base-url) is right."


class OpenAIBackend(Backend):
    """Streams replies from an OpenAI-compatible HTTP server."""

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
    ) -> None:
        """``timeout``: seconds to wait for each read (default: ``params.timeout_s``)."""
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
        self._model = model

    @property
    def model_id(self) -> str:
        """The model asked for; looked up on the server when none was given."""
        if self._model is None:
            self._model = self._first_model()
        return self._model

    def url(self, endpoint: str) -> str:
        """The full URL of ``endpoint`` (``"chat/completions"``, ``"models"``...)."""
        netloc = self._parts.netloc
        return f"{self._parts.scheme}://{netloc}{self._prefix}/{endpoint}"

    def stream(self, messages: list[Message], params: GenerationParams) -> Iterator[str]:
        """Stream a chat reply from ``/v1/chat/completions``."""
        body = {"messages": messages, **self._sampling(params)}
        return apply_stop(self._events("chat/completions", body, params), params.stop)

    def stream_text(self, prompt: str, params: GenerationParams) -> Iterator[str]:
        """Stream a continuation of ``prompt`` from ``/v1/completions``."""
        body = {"prompt": prompt, **self._sampling(params)}
        return apply_stop(self._events("completions", body, params), params.stop)

    def _sampling(self, params: GenerationParams) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model_id,
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

    def _first_model(self) -> str:
        url = self.url("models")
        conn, resp = self._request("GET", "models", None, self.timeout or 30.0)
        try:
            data = _json(resp.read(), url)
        finally:
            conn.close()
        models = [m.get("id") for m in data.get("data", []) if isinstance(m, dict)]
        if not models or not models[0]:
            raise BackendError(f"{url} lists no models; pass one with --model or FRONTLINE_MODEL.")
        return str(models[0])

    def _events(
        self, endpoint: str, body: dict[str, Any], params: GenerationParams
    ) -> Iterator[str]:
        """Yield the text of each streamed event (a generator: nothing runs until iterated)."""
        url = self.url(endpoint)
        read_timeout = self.timeout or params.timeout_s
        conn, resp = self._request("POST", endpoint, body, read_timeout)
        try:
            if "text/event-stream" not in (resp.getheader("Content-Type") or ""):
                # Some servers ignore "stream": one JSON answer instead of events.
                data = _json(_read(resp, url, read_timeout), url)
                yield _text(data, url)
                return
            finished = False
            for data in _sse(resp, url, read_timeout):
                if data == "[DONE]":
                    return
                event = _json(data.encode("utf-8"), url)
                yield _text(event, url)
                choice = (event.get("choices") or [{}])[0]
                finished = finished or bool(choice.get("finish_reason"))
            if not finished:
                raise BackendError(f"{url} closed the stream before the reply finished. {CHECK}")
        finally:
            conn.close()

    def _request(
        self, method: str, endpoint: str, body: dict[str, Any] | None, read_timeout: float
    ) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        url = self.url(endpoint)
        https = self._parts.scheme == "https"
        cls = http.client.HTTPSConnection if https else http.client.HTTPConnection
        conn = cls(self._parts.hostname, self._parts.port, timeout=self.connect_timeout)
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
                    f"{url}: could not connect within {self.connect_timeout:g} s. {CHECK}"
                ) from None
            conn.sock.settimeout(read_timeout)
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
            raise BackendError(
                f"{url}: no answer within {read_timeout:g} s. The server may be overloaded "
                "or still loading the model; raise the timeout or check the server's log."
            ) from None
        except (OSError, http.client.HTTPException) as err:
            conn.close()
            raise BackendError(f"{url}: {err}. {CHECK}") from None
        if resp.status >= 400:
            detail = _error_detail(resp)
            conn.close()
            hint = {401: " Check FRONTLINE_OPENAI_API_KEY.", 404: " Check the URL and model."}
            raise BackendError(
                f"{url} answered HTTP {resp.status} {resp.reason}: {detail}"
                f"{hint.get(resp.status, '')}"
            )
        return conn, resp


def _sse(resp: http.client.HTTPResponse, url: str, timeout: float) -> Iterator[str]:
    """The ``data`` of each server-sent event, as it arrives."""
    lines: list[str] = []
    while True:
        try:
            raw = resp.readline()
        except TimeoutError:
            raise BackendError(
                f"{url}: the stream stalled (nothing for {timeout:g} s). "
                "The server may be overloaded; check its log."
            ) from None
        except (OSError, http.client.HTTPException) as err:
            raise BackendError(f"{url}: the stream broke off ({err}). {CHECK}") from None
        if not raw:
            if lines:
                yield "\n".join(lines)
            return
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if not line:
            if lines:
                yield "\n".join(lines)
                lines = []
        elif line.startswith("data:"):
            lines.append(line[5:].removeprefix(" "))
        elif not line.startswith((":", "event:", "id:", "retry:")):
            raise BackendError(f"{url}: malformed event stream line {line[:200]!r}.")


def _read(resp: http.client.HTTPResponse, url: str, timeout: float) -> bytes:
    try:
        return resp.read()
    except TimeoutError:
        raise BackendError(f"{url}: no complete answer within {timeout:g} s.") from None
    except (OSError, http.client.HTTPException) as err:
        raise BackendError(f"{url}: the answer broke off ({err}). {CHECK}") from None


def _json(raw: bytes, url: str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError:
        raise BackendError(f"{url}: the answer is not JSON: {raw[:200]!r}.") from None
    if not isinstance(data, dict):
        raise BackendError(f"{url}: expected a JSON object, got {raw[:200]!r}.")
    if "error" in data:
        raise BackendError(f"{url} reported an error: {_message(data['error'])}")
    return data


def _text(event: dict[str, Any], url: str) -> str:
    """The text in one chat or completion event (streamed or whole)."""
    choices = event.get("choices")
    if not isinstance(choices, list):
        raise BackendError(f"{url}: an event without 'choices': {json.dumps(event)[:200]}.")
    if not choices:
        return ""  # e.g. a final usage-only event
    choice = choices[0]
    if "text" in choice:
        return choice["text"] or ""
    part = choice.get("delta") or choice.get("message") or {}
    return part.get("content") or ""


def _error_detail(resp: http.client.HTTPResponse) -> str:
    try:
        raw = resp.read(4000)
    except (OSError, http.client.HTTPException):
        return "(no body)"
    try:
        return _message(json.loads(raw).get("error", raw.decode("utf-8", "replace")))
    except (ValueError, AttributeError):
        return raw.decode("utf-8", errors="replace").strip()[:300] or "(no body)"


def _message(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error)
    return str(error)
