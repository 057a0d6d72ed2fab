"""The record layer under the readers: error rows, speaker aliases, turn validation.

A reader turns raw input into ``(speaker label, text, line)`` triples and calls
:func:`build_transcript`, which maps aliases, rejects unknown labels, undecodable bytes and
calls without agent turns, and returns a :class:`~trainer.transcripts.transcript.Transcript` or an
:class:`ErrorRow`. Undecodable bytes are kept as lone surrogates (see
:mod:`trainer.transcripts.encoding`) so that a bad byte marks its own record instead of
aborting the file; every string an error row or a transcript's id, persona and metadata carry
is :func:`printable`.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from trainer.transcripts.encoding import (
    ERRORS,
    detect_encoding,
    has_bad_text,
    printable,
    read_head,
)
from trainer.transcripts.transcript import Transcript, Turn

__all__ = [
    "AGENT_ALIASES",
    "CUSTOMER_ALIASES",
    "ErrorRow",
    "Record",
    "build_transcript",
    "has_bad_text",
    "normalise_speaker",
    "open_text",
    "printable",
    "transcript_from_record",
]

AGENT_ALIASES = frozenset(
    {"agent", "rep", "csr", "advisor", "adviser", "representative", "associate", "operator"}
    | {"support"}
)
CUSTOMER_ALIASES = frozenset({"customer", "caller", "client", "user", "member", "consumer"})
_ID_KEYS = ("id", "conversation_id", "call_id", "transcript_id")
_SPEAKER_KEYS = ("speaker", "role")
_TEXT_KEYS = ("text", "content", "utterance")
_KNOWN_KEYS = {*_ID_KEYS, "turns", "persona", "metadata"}


@dataclass(frozen=True)
class ErrorRow:
    """An input record that could not become a transcript.

    ``id`` is the record's id when it has one, else ``<file stem>:<line>``; ``line`` is the
    1-based line (row number for Parquet) where the problem is, or ``None`` for a whole file.
    """

    id: str
    source: str
    line: int | None
    reason: str


@dataclass(frozen=True)
class Record:
    """One output of the readers: the transcript (or error row) and where it came from."""

    item: Transcript | ErrorRow
    source: str
    line: int | None


def normalise_speaker(label: str) -> str | None:
    """``agent`` or ``customer`` for a label or an alias ("Rep", "Caller 2"), else None."""
    words = re.sub(r"\(.*?\)", " ", str(label)).lower().replace("_", " ").split()
    for candidate in (" ".join(words), words[0] if words else ""):
        candidate = candidate.rstrip(".:0123456789")  # "Agent1", "Caller:"
        if candidate in AGENT_ALIASES:
            return "agent"
        if candidate in CUSTOMER_ALIASES:
            return "customer"
    return None


def build_transcript(
    id: str,
    turns: list[tuple[Any, Any, int | None]],
    *,
    source: str,
    line: int | None,
    persona: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    problems: list[tuple[int | None, str]] | None = None,
) -> Transcript | ErrorRow:
    """Check raw ``(speaker label, text, line)`` turns and build a Transcript or an ErrorRow.

    ``problems`` are ``(line, message)`` pairs a reader already found (missing fields, ...).
    """
    found = list(problems or [])
    good: list[Turn] = []
    unknown: dict[str, int | None] = {}
    for n, (label, text, turn_line) in enumerate(turns, 1):
        speaker = normalise_speaker(label) if isinstance(label, str) else None
        if speaker is None and label not in (None, ""):
            unknown.setdefault(printable(str(label)), turn_line)
        if not isinstance(text, str) or not isinstance(label, str) or not label:
            continue  # the reader reported the missing field
        if has_bad_text(text) or has_bad_text(label):
            found.append(
                (turn_line, f"undecodable text (bytes not valid in its encoding) in turn {n}")
            )
        elif speaker is not None:
            good.append(Turn(speaker=speaker, text=text.strip()))
    if unknown:
        named = ", ".join(f"'{k}'" + (f" (line {v})" if v else "") for k, v in unknown.items())
        expected = (
            f"expected agent ({', '.join(sorted(AGENT_ALIASES))})"
            f" or customer ({', '.join(sorted(CUSTOMER_ALIASES))})"
        )
        reason = f"unknown speaker labels: {named}; {expected}"
        found.append((next(iter(unknown.values())), reason))
    if not found and not turns:
        found.append((line, "no turns"))
    elif not found and not any(t.speaker == "agent" for t in good):
        found.append((line, "no agent turns"))
    if has_bad_text(id):
        found.append((line, "undecodable text (bytes not valid in its encoding) in the id"))
    if found:
        where = next((ln for ln, _ in found if ln is not None), line)
        reason = printable("; ".join(msg for _, msg in found))
        return ErrorRow(printable(id), printable(source), where, reason)
    meta = {
        printable(str(k)): printable(str(v)) for k, v in (metadata or {}).items() if v is not None
    }
    return Transcript(
        id=printable(id), persona=printable(persona) if persona else None, turns=good, metadata=meta
    )


def transcript_from_record(
    obj: Any, *, source: str, line: int | None, default_id: str | None = None
) -> Transcript | ErrorRow:
    """Build a transcript from one canonical JSON object (``{"id", "turns": [...]}``)."""
    fallback = default_id or f"{Path(source).stem}:{line}"
    if not isinstance(obj, Mapping):
        kind = type(obj).__name__
        return ErrorRow(
            fallback, source, line, f"expected an object with 'id' and 'turns', got {kind}"
        )
    raw_id = next((obj[k] for k in _ID_KEYS if obj.get(k) not in (None, "")), default_id)
    problems: list[tuple[int | None, str]] = []
    if raw_id is None:
        problems.append((line, "missing field 'id'"))
    turns_in = obj.get("turns")
    turns: list[tuple[Any, Any, int | None]] = []
    if turns_in is None:
        problems.append((line, "missing field 'turns'"))
    elif not isinstance(turns_in, list):
        problems.append((line, f"'turns' must be a list (got {type(turns_in).__name__})"))
    else:
        for n, turn in enumerate(turns_in, 1):
            if not isinstance(turn, Mapping):
                problems.append((line, f"turn {n}: expected an object with 'speaker' and 'text'"))
                continue
            label = _text(next((turn[k] for k in _SPEAKER_KEYS if k in turn), None))
            text = _text(next((turn[k] for k in _TEXT_KEYS if k in turn), None))
            for name, value in (("speaker", label), ("text", text)):
                if value is None:
                    problems.append((line, f"turn {n}: missing field '{name}'"))
                elif not isinstance(value, str):
                    kind = type(value).__name__
                    problems.append((line, f"turn {n}: '{name}' must be a string (got {kind})"))
            turns.append((label, text, line))
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), Mapping) else {}
    extra = {
        k: v for k, v in obj.items() if k not in _KNOWN_KEYS and isinstance(v, str | int | float)
    }
    persona = obj.get("persona") if isinstance(obj.get("persona"), str) else None
    return build_transcript(
        str(raw_id if raw_id is not None else fallback),
        turns,
        source=source,
        line=line,
        persona=persona,
        metadata={**extra, **meta},
        problems=problems,
    )


def _text(value: Any) -> Any:
    return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else value


def open_text(path: str | Path, mode: str = "r") -> IO[str]:
    """Open a text file (``.gz`` transparently) for writing UTF-8 or reading.

    Reading detects the encoding (:func:`~trainer.transcripts.encoding.detect_encoding`: a
    BOM, BOM-less UTF-16, else UTF-8) and keeps undecodable bytes as lone surrogates.
    """
    path = Path(path)
    if "w" in mode:
        opener = gzip.open if path.suffix == ".gz" else open
        return opener(
            path, mode + ("t" if path.suffix == ".gz" else ""), encoding="utf-8", newline=""
        )
    encoding = detect_encoding(read_head(path, 4096))
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding=encoding, errors=ERRORS, newline="")
    return open(path, encoding=encoding, errors=ERRORS, newline="")
