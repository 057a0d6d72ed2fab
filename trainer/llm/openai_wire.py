"""The OpenAI HTTP wire format: server-sent events, JSON answers, error bodies.

Every function turns what a server sent into text or a :class:`BackendError` naming
the URL; the reads that wait on the server are bounded by a
:class:`~trainer.llm.deadline.ReplyDeadline`.
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from typing import Any

from trainer.llm.base import BackendError
from trainer.llm.deadline import ReplyDeadline

CHECK = "Check that the server is running and FRONTLINE_OPENAI_BASE_URL (or --base-url) is right."


def sse_data(
    resp: http.client.HTTPResponse, sock: socket.socket, url: str, deadline: ReplyDeadline
) -> Iterator[str]:
    """The ``data`` of each server-sent event, as it arrives, while ``deadline`` holds."""
    lines: list[str] = []
    while True:
        try:
            sock.settimeout(max(deadline.left(), 0.001))
            raw = resp.readline()
        except TimeoutError:
            raise deadline.error(url) from None
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
        elif line.startswith((":", "event:", "id:", "retry:")):
            deadline.check(url)  # a keep-alive comment does not move the clock
        else:
            raise BackendError(f"{url}: malformed event stream line {line[:200]!r}.")


def read_whole(
    resp: http.client.HTTPResponse, sock: socket.socket, url: str, deadline: ReplyDeadline
) -> bytes:
    """A whole (non-streamed) answer: the first text, so due by the first deadline."""
    try:
        sock.settimeout(max(deadline.left(), 0.001))
        return resp.read()
    except TimeoutError:
        raise deadline.error(url) from None
    except (OSError, http.client.HTTPException) as err:
        raise BackendError(f"{url}: the answer broke off ({err}). {CHECK}") from None


def parse_json(raw: bytes, url: str) -> dict[str, Any]:
    """A JSON object from the server; its ``error`` field, if any, raised."""
    try:
        data = json.loads(raw)
    except ValueError:
        raise BackendError(f"{url}: the answer is not JSON: {raw[:200]!r}.") from None
    if not isinstance(data, dict):
        raise BackendError(f"{url}: expected a JSON object, got {raw[:200]!r}.")
    if "error" in data:
        raise BackendError(f"{url} reported an error: {_message(data['error'])}")
    return data


def event_text(event: dict[str, Any], url: str) -> str:
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


def error_detail(resp: http.client.HTTPResponse) -> str:
    """The server's own words on an HTTP error (its JSON ``error.message``, or the body)."""
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
