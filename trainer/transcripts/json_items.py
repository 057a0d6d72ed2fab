"""The items of a JSON list, one at a time, carrying on past a malformed one.

``json.loads`` of a list with one broken item loses the whole list. Here each item is decoded
on its own (``JSONDecoder.raw_decode``); when one fails, the end of that item is found by a
scan that tracks strings and brackets (a string never spans lines in valid JSON, so a missing
quote ends at its line), and decoding resumes after it. When the broken item's brackets do
not balance, the next item is looked for at the start of a later line, at the column where
the broken item started (how pretty-printed lists are laid out). Only when neither finds the
next item is the rest of the list reported as one unreadable part.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_WS = " \t\r\n"
_CLOSE = {"}": "{", "]": "["}


@dataclass(frozen=True)
class Item:
    """One list item: the decoded value, or the reason it could not be decoded."""

    line: int
    value: Any = None
    error: str | None = None


def iter_list_items(text: str, start: int) -> Iterator[Item]:
    """The items of the list whose ``[`` is at ``text[start]``, each with its 1-based line."""
    decoder = json.JSONDecoder()
    lines = _Lines(text)
    idx = _skip_ws(text, start + 1)
    while idx < len(text) and text[idx] != "]":
        line = lines.at(idx)
        try:
            value, end = decoder.raw_decode(text, idx)
        except (json.JSONDecodeError, RecursionError) as exc:
            what = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            col = exc.colno if isinstance(exc, json.JSONDecodeError) else None
            at = f" (line {exc.lineno}, column {col})" if col is not None else ""
            end = _item_end(text, idx)
            if end is None:
                end = _next_at_column(text, idx, decoder)
            if end is None:
                last = lines.at(len(text))
                yield Item(
                    line,
                    error=f"malformed JSON: {what}{at}; where this item ends cannot be told,"
                    f" so lines {line}-{last} are unread",
                )
                return
            yield Item(line, error=f"malformed JSON: {what}{at}")
            idx = _after_separator(text, end)
            continue
        yield Item(line, value=value)
        idx = _after_separator(text, end)
    if idx < len(text) and _skip_ws(text, idx + 1) < len(text):
        yield Item(lines.at(idx), error="malformed JSON: text after the list's closing ']'")


def _after_separator(text: str, end: int) -> int:
    """Where the next item starts: past a ``,`` (a missing comma between items is forgiven)."""
    idx = _skip_ws(text, end)
    if idx < len(text) and text[idx] == ",":
        idx = _skip_ws(text, idx + 1)
    return idx


def _item_end(text: str, idx: int) -> int | None:
    """The index of the ``,`` or ``]`` that ends the item starting at ``idx``, or None."""
    stack: list[str] = []
    in_string = escaped = False
    for i in range(idx, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch in '"\n':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append(ch)
        elif ch in "}]":
            if stack and stack[-1] == _CLOSE[ch]:
                stack.pop()
            elif not stack and ch == "]":
                return i
            else:
                return None  # the brackets do not balance
        elif ch == "," and not stack:
            return i
    return None


def _next_at_column(text: str, idx: int, decoder: json.JSONDecoder) -> int | None:
    """The end of the broken item, judged by the next line that starts a decodable item at
    the broken item's column (after a ``,``); None when the item did not start its line."""
    line_start = text.rfind("\n", 0, idx) + 1
    if text[line_start:idx].strip(_WS):
        return None
    column = idx - line_start
    pos = text.find("\n", idx)
    while pos != -1:
        begin = pos + 1 + column
        if text[pos + 1 : begin].strip(" \t") == "" and text[begin : begin + 1] not in ("", *_WS):
            comma = begin - 1
            while comma > idx and text[comma] in _WS:
                comma -= 1
            if text[comma] == ",":
                try:
                    decoder.raw_decode(text, begin)
                except (json.JSONDecodeError, RecursionError):
                    pass
                else:
                    return comma
        pos = text.find("\n", pos + 1)
    return None


def _skip_ws(text: str, idx: int) -> int:
    while idx < len(text) and text[idx] in _WS:
        idx += 1
    return idx


class _Lines:
    """Line numbers of increasing offsets, counted once."""

    def __init__(self, text: str) -> None:
        self.text, self.offset, self.line = text, 0, 1

    def at(self, idx: int) -> int:
        if idx < self.offset:
            return self.text.count("\n", 0, idx) + 1
        self.line += self.text.count("\n", self.offset, idx)
        self.offset = idx
        return self.line
