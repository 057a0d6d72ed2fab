"""Read transcripts from files, folders and globs; write them back out.

Formats (by extension, optionally ``.gz``-compressed except Parquet):

- ``.jsonl`` / ``.ndjson``: one canonical transcript object per line.
- ``.json``: one transcript object (its id defaults to the file stem) or a list of them.
- ``.csv`` / ``.tsv``: long form, one turn per row: ``conversation_id,speaker,text`` plus an
  optional turn index column (``turn``) and ``persona``; rows are grouped by conversation id
  in first-seen order (the rows of one call need not be contiguous).
- ``.txt``: ``Agent: ...`` / ``Customer: ...`` lines; other lines continue the previous turn.
  One file is one transcript whose id is the file stem.
- ``.parquet``: long form as CSV, or one row per call with a ``turns`` column.

Every input record yields exactly one :class:`Record`: a
:class:`~trainer.transcripts.transcript.Transcript`, or an :class:`ErrorRow` saying what
was wrong and where. Nothing is silently dropped.
"""

from __future__ import annotations

import csv
import glob
import logging
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from trainer.transcripts import formats as transcript_formats
from trainer.transcripts.encoding import file_problem, printable
from trainer.transcripts.records import (
    AGENT_ALIASES,
    CUSTOMER_ALIASES,
    ErrorRow,
    Record,
    normalise_speaker,
    open_text,
    transcript_from_record,
)
from trainer.transcripts.transcript import Transcript

__all__ = [
    "AGENT_ALIASES",
    "CUSTOMER_ALIASES",
    "SUFFIXES",
    "ErrorRow",
    "Record",
    "iter_records",
    "iter_transcripts",
    "normalise_speaker",
    "resolve_paths",
    "transcripts_from_records",
    "write_csv",
    "write_jsonl",
]

log = logging.getLogger(__name__)

SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt", ".parquet", ".pq")


def transcripts_from_records(
    rows: Iterable[Mapping[str, Any]], source: str = "<records>"
) -> Iterator[Record]:
    """Records from canonical dicts already in memory, e.g. a ``datasets.Dataset`` of calls."""
    for n, row in enumerate(rows, 1):
        yield Record(transcript_from_record(row, source=source, line=n), source, n)


def resolve_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files, folders (recursively) and globs into a sorted, de-duplicated file list.

    Raises ``FileNotFoundError`` for a path that matches nothing and ``ValueError`` for an
    explicitly named file of an unsupported format. Unsupported or hidden files found inside
    folders or globs are skipped with a warning.
    """
    out: dict[Path, None] = {}
    for given in paths:
        path = Path(given)
        if path.is_file():
            if _format_of(path) is None:
                raise ValueError(f"{path}: unsupported format; supported: {', '.join(SUFFIXES)}")
            out[path] = None
            continue
        if path.is_dir():
            found = _visible_files(path)
        elif glob.has_magic(str(given)):
            found = []
            for match in sorted(glob.glob(str(given), recursive=True)):
                m = Path(match)
                found += _visible_files(m) if m.is_dir() else [m]
        else:
            raise FileNotFoundError(f"no such file or folder: {given}")
        if not found:
            raise FileNotFoundError(f"no files match: {given}")
        for p in found:
            if _format_of(p) is None:
                log.warning("skipping %s: unsupported format", p)
            else:
                out[p] = None
    return list(out)


def _visible_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def iter_records(paths: Iterable[str | Path]) -> Iterator[Record]:
    """Stream :class:`Record` s from ``paths`` (files, folders, globs), in order.

    Paths are resolved up front (a missing path raises before anything is read). A file that
    cannot be read at all (unreadable, empty, binary or undecodable) yields one ErrorRow for
    the file; every file yields at least one record. Every string a record carries (ids,
    reasons, file names) is printable.
    """
    files = resolve_paths(paths)
    return _iter_files(files)


def iter_transcripts(paths: Iterable[str | Path]) -> Iterator[Transcript | ErrorRow]:
    """Stream a Transcript or an ErrorRow for every input record in ``paths``, in order."""
    return (record.item for record in iter_records(paths))


def _iter_files(files: list[Path]) -> Iterator[Record]:
    for path in files:
        fmt = _format_of(path) or ""
        reader = transcript_formats.READERS[fmt]
        count = 0
        try:
            problem = None if fmt in (".parquet", ".pq") else file_problem(path)
            if problem is None:
                for record in reader(path):
                    count += 1
                    yield _printable(record)
        except (OSError, ValueError, EOFError, csv.Error, zlib.error, RecursionError) as exc:
            after = f" after {count} records" if count else ""
            problem = f"cannot read file{after}: {type(exc).__name__}: {exc}"
        if problem is None and count == 0:
            problem = "empty file: no transcripts in it"
        if problem is not None:
            yield _printable(Record(ErrorRow(path.stem, str(path), None, problem), str(path), None))


def _printable(record: Record) -> Record:
    """The record with every string an output row shows made printable (file names too)."""
    item = record.item
    if isinstance(item, ErrorRow):
        item = ErrorRow(
            printable(item.id), printable(item.source), item.line, printable(item.reason)
        )
    return Record(item, printable(record.source), record.line)


def _format_of(path: Path) -> str | None:
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
        if suffixes and suffixes[-1] in (".parquet", ".pq"):
            return None
    return suffixes[-1] if suffixes and suffixes[-1] in SUFFIXES else None


def write_jsonl(transcripts: Iterable[Transcript], path: str | Path) -> int:
    """Write canonical JSONL (one transcript per line); returns the number written."""
    n = 0
    with open_text(path, "w") as f:
        for t in transcripts:
            if not isinstance(t, Transcript):
                raise TypeError(f"write_jsonl takes Transcripts, got {type(t).__name__}")
            f.write(t.model_dump_json(exclude_defaults=True) + "\n")
            n += 1
    return n


def write_csv(transcripts: Iterable[Transcript], path: str | Path) -> int:
    """Write long-form CSV (``conversation_id,turn,speaker,text``); returns transcripts written."""
    n = 0
    with open_text(path, "w") as f:
        writer = csv.writer(f)
        writer.writerow(["conversation_id", "turn", "speaker", "text"])
        for t in transcripts:
            writer.writerows([t.id, i, turn.speaker, turn.text] for i, turn in enumerate(t.turns))
            n += 1
    return n
