"""One reader per input format; each yields one :class:`Record` per input record.

JSON, JSONL, CSV and TXT are read with the standard library, line by line, so that a bad row
becomes an error row with its line number while the rest of the file is still read: the
``datasets`` JSON/CSV builders abort the whole file on the first malformed row or bad byte
(``ArrowInvalid`` / ``UnicodeDecodeError``) and report no line numbers. Parquet is read with
``pyarrow.parquet`` batch by batch (see :mod:`trainer.transcripts.longform`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from trainer.transcripts.json_items import iter_list_items
from trainer.transcripts.longform import read_csv, read_parquet
from trainer.transcripts.records import (
    ErrorRow,
    Record,
    build_transcript,
    normalise_speaker,
    open_text,
    transcript_from_record,
)

# "[00:01:02] Agent (Sarah): text", "Customer 1: text", "REP - text" is not supported.
_SPEAKER_LINE = re.compile(
    r"^\s*(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?[\])]?\s*-?\s*)?"
    r"(?P<label>[^\W\d_][\w'.-]*(?: [\w'.-]+){0,2}?)\s*(?:\([^)]*\))?\s*:(?P<gap>\s*)(?P<text>.*)$"
)


def read_jsonl(path: Path) -> Iterator[Record]:
    """One transcript object per non-blank line; a malformed line is an error row."""
    src = str(path)
    with open_text(path) as f:
        for lineno, text in enumerate(f, 1):
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                reason = f"malformed JSON: {exc.msg} (column {exc.colno})"
                yield Record(ErrorRow(f"{path.stem}:{lineno}", src, lineno, reason), src, lineno)
                continue
            except RecursionError:
                reason = "malformed JSON: nested too deeply"
                yield Record(ErrorRow(f"{path.stem}:{lineno}", src, lineno, reason), src, lineno)
                continue
            yield Record(transcript_from_record(obj, source=src, line=lineno), src, lineno)


def read_json(path: Path) -> Iterator[Record]:
    """One transcript object (id defaults to the file stem) or a list of them.

    A malformed item of a list is one error row and the items after it are still read
    (:mod:`trainer.transcripts.json_items`).
    """
    src = str(path)
    with open_text(path) as f:
        text = f.read()
    start = len(text) - len(text.lstrip())
    if text[start : start + 1] != "[":
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            reason = f"malformed JSON: {exc.msg} (column {exc.colno})"
            yield Record(ErrorRow(path.stem, src, exc.lineno, reason), src, exc.lineno)
            return
        item = transcript_from_record(obj, source=src, line=1, default_id=path.stem)
        yield Record(item, src, 1)
        return
    for item in iter_list_items(text, start):
        if item.error is not None:
            error = ErrorRow(f"{path.stem}:{item.line}", src, item.line, item.error)
            yield Record(error, src, item.line)
        else:
            record = transcript_from_record(item.value, source=src, line=item.line)
            yield Record(record, src, item.line)


def read_txt(path: Path) -> Iterator[Record]:
    """``Agent: ...`` / ``Customer: ...`` lines; one file = one transcript, id = file stem.

    A line that does not start with a known speaker label continues the previous turn. A label
    that is not a known speaker is an unknown speaker when it starts two or more lines (so a
    one-off ``Note: ...`` continues the turn, while a recurring ``Supervisor:`` is reported).
    Lines before the first turn are kept as ``metadata["preamble"]``.
    """
    src = str(path)
    with open_text(path) as f:
        lines = f.read().splitlines()
    parsed = [(n, _speaker_line(text), text) for n, text in enumerate(lines, 1)]
    counts: dict[str, int] = {}
    for _, m, _ in parsed:
        if m and normalise_speaker(m["label"]) is None:
            counts[m["label"].lower()] = counts.get(m["label"].lower(), 0) + 1
    turns: list[list[Any]] = []  # [label, text, line]
    preamble: list[str] = []
    for n, m, text in parsed:
        if m and (normalise_speaker(m["label"]) or counts.get(m["label"].lower(), 0) > 1):
            turns.append([m["label"], m["text"].strip(), n])
        elif not text.strip():
            continue
        elif turns:
            turns[-1][1] = f"{turns[-1][1]} {text.strip()}".strip()
        else:
            preamble.append(text.strip())
    meta = {"preamble": " ".join(preamble)} if preamble else {}
    first = turns[0][2] if turns else None
    item = build_transcript(
        path.stem, [tuple(t) for t in turns], source=src, line=first, metadata=meta
    )
    yield Record(item, src, item.line if isinstance(item, ErrorRow) else first)


def _speaker_line(text: str) -> re.Match[str] | None:
    """The match when ``text`` starts with a label; "Agent:hi" counts, "http://x" does not."""
    m = _SPEAKER_LINE.match(text)
    if m and (m["gap"] or not m["text"] or normalise_speaker(m["label"])):
        return m
    return None


READERS: dict[str, Callable[[Path], Iterator[Record]]] = {
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".json": read_json,
    ".csv": read_csv,
    ".tsv": read_csv,
    ".txt": read_txt,
    ".parquet": read_parquet,
    ".pq": read_parquet,
}
