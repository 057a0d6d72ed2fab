"""Long-form readers (one turn per row): CSV/TSV and long Parquet.

Rows are grouped by conversation id in first-seen order; the rows of one call need not be
contiguous. Each file is read twice: the first pass notes the last row of every conversation
id, the second emits each conversation as soon as its last row is read (and every conversation
first seen before it has been emitted). A file sorted by conversation therefore holds one
conversation in memory at a time.

Parquet is read with ``pyarrow.parquet`` batch by batch (``datasets`` uses the same reader
underneath, but copies the whole file into its Arrow cache first and has no row numbers).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainer.transcripts.records import (
    ErrorRow,
    Record,
    build_transcript,
    open_text,
    transcript_from_record,
)

_COLUMNS = {
    "conv": ("conversation_id", "conversation", "call_id", "transcript_id", "conv_id", "id"),
    "speaker": ("speaker", "role", "party", "participant", "speaker_role"),
    "text": ("text", "utterance", "message", "content", "transcript"),
    "turn": ("turn", "turn_index", "turn_id", "turn_number", "seq", "sequence", "position"),
    "persona": ("persona",),
}


@dataclass
class _Row:
    line: int
    conv: str | None
    speaker: Any = None
    text: Any = None
    turn: Any = None
    persona: Any = None
    problem: str | None = None


@dataclass
class _Conv:
    line: int
    persona: Any = None
    rows: list[_Row] = field(default_factory=list)
    done: bool = False
    error: ErrorRow | None = None


def read_csv(path: Path) -> Iterator[Record]:
    """Long form: one turn per row, grouped by conversation id in first-seen order."""
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 24))  # long turns: 16 MB a cell
    with open_text(path) as f:
        header_line = f.readline()
    delimiter = "\t" if ".tsv" in path.suffixes else ","
    if delimiter not in header_line:
        delimiter = next((d for d in ";\t|" if d in header_line), delimiter)
    header = next(csv.reader([header_line], delimiter=delimiter), [])
    cols = _map_columns(header)
    missing = [name for name in ("conv", "speaker", "text") if name not in cols]
    if missing:
        yield _missing_columns(path, missing, header, 1)
        return

    def rows() -> Iterator[_Row]:
        with open_text(path) as f:
            reader = csv.reader(f, delimiter=delimiter)
            next(reader, None)
            start = reader.line_num + 1
            for values in reader:
                if any(v.strip() for v in values):
                    yield _csv_row(values, cols, len(header), start)
                start = reader.line_num + 1

    yield from _group_long_rows(path, lambda: (r.conv for r in rows()), rows)


def _csv_row(values: list[str], cols: dict[str, int], width: int, line: int) -> _Row:
    def get(name: str) -> str | None:
        i = cols.get(name)
        return values[i] if i is not None and i < len(values) else None

    row = _Row(line, (get("conv") or "").strip() or None, get("speaker"), get("text"))
    row.turn, row.persona = get("turn"), get("persona")
    if len(values) > width:  # an unquoted delimiter inside the text
        row.problem = f"line {line}: {len(values)} fields, the header has {width}"
    return row


def read_parquet(path: Path) -> Iterator[Record]:
    """Long form (like CSV), or one row per call with ``id`` and a ``turns`` list column."""
    import pyarrow.parquet as pq

    src = str(path)
    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    if "turns" in names:
        row = 0
        for batch in pf.iter_batches(batch_size=1024):
            for obj in batch.to_pylist():
                row += 1
                yield Record(transcript_from_record(obj, source=src, line=row), src, row)
        return
    cols = _map_columns(names)
    missing = [name for name in ("conv", "speaker", "text") if name not in cols]
    if missing:
        yield _missing_columns(path, missing, names, None)
        return
    wanted = {key: names[i] for key, i in cols.items()}

    def batches(columns: list[str]) -> Iterator[dict[str, Any]]:
        for batch in pf.iter_batches(batch_size=4096, columns=columns):
            yield from batch.to_pylist()

    def ids() -> Iterator[str | None]:
        for rec in batches([wanted["conv"]]):
            yield _cell(rec[wanted["conv"]])

    def rows() -> Iterator[_Row]:
        for n, rec in enumerate(batches(list(dict.fromkeys(wanted.values()))), 1):
            got = {key: rec[col] for key, col in wanted.items()}
            conv = _cell(got["conv"])
            speaker, text = _cell(got["speaker"]), _cell(got["text"], strip=False)
            yield _Row(n, conv, speaker, text, got.get("turn"), got.get("persona"))

    yield from _group_long_rows(path, ids, rows)


def _cell(value: Any, strip: bool = True) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "surrogateescape")
    value = str(value)
    return (value.strip() or None) if strip else value


def _map_columns(header: list[str]) -> dict[str, int]:
    norm = [h.strip().lower().replace(" ", "_") for h in header]
    found: dict[str, int] = {}
    for key, aliases in _COLUMNS.items():
        for alias in aliases:
            if alias in norm:
                found[key] = norm.index(alias)
                break
    return found


def _missing_columns(path: Path, missing: list[str], header: list[str], line: int | None) -> Record:
    names = {"conv": "conversation_id", "speaker": "speaker", "text": "text"}
    reason = (
        f"missing columns: {', '.join(names[m] for m in missing)} "
        f"(found: {', '.join(header) or 'nothing'}; expected conversation_id,speaker,text)"
    )
    return Record(ErrorRow(path.stem, str(path), line, reason), str(path), line)


def _group_long_rows(
    path: Path, ids: Callable[[], Iterator[str | None]], rows: Callable[[], Iterator[_Row]]
) -> Iterator[Record]:
    src = str(path)
    last = {conv: i for i, conv in enumerate(ids()) if conv is not None}
    pending: dict[Any, _Conv] = {}
    for i, row in enumerate(rows()):
        if row.conv is None:
            reason = row.problem or f"line {row.line}: missing conversation_id"
            error = ErrorRow(f"{path.stem}:{row.line}", src, row.line, reason)
            pending[("row", i)] = _Conv(row.line, done=True, error=error)
        else:
            conv = pending.setdefault(row.conv, _Conv(row.line, row.persona))
            conv.rows.append(row)
            conv.done = last.get(row.conv, i) <= i
        while pending and next(iter(pending.values())).done:
            key, conv = next(iter(pending.items()))
            del pending[key]
            yield _finish(key, conv, src)
    for key, conv in pending.items():
        yield _finish(key, conv, src)


def _finish(key: Any, conv: _Conv, src: str) -> Record:
    if conv.error is not None:
        return Record(conv.error, src, conv.line)
    problems = [(r.line, r.problem) for r in conv.rows if r.problem]
    for r in conv.rows:
        for name, value in (("speaker", r.speaker), ("text", r.text)):
            if value is None or (name == "speaker" and not str(value).strip()):
                problems.append((r.line, f"line {r.line}: missing {name}"))
    ordered = conv.rows
    if any(r.turn not in (None, "") for r in conv.rows):
        try:
            ordered = sorted(conv.rows, key=lambda r: int(str(r.turn).strip()))
        except ValueError:
            bad = next(r for r in conv.rows if not str(r.turn).strip().lstrip("-").isdigit())
            problems.append((bad.line, f"line {bad.line}: turn index {bad.turn!r} is not a number"))
    turns = [(r.speaker, r.text, r.line) for r in ordered]
    persona = str(conv.persona).strip() if conv.persona else None
    item = build_transcript(
        str(key), turns, source=src, line=conv.line, persona=persona, problems=problems
    )
    return Record(item, src, conv.line)
