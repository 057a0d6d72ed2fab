"""Encodings, empty and binary files: every file gives rows, every string in them is printable."""

from __future__ import annotations

import gzip
import json
import os
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from trainer.transcripts.encoding import detect_encoding, file_problem, printable
from trainer.transcripts.io import ErrorRow, iter_records
from trainer.transcripts.transcript import Transcript, Turn

TURNS = [("customer", "My bill is wrong, señor."), ("agent", "I'm sorry — let me fix that.")]
CONTENT = {
    ".csv": "conversation_id,speaker,text\n" + "".join(f'c1,{s},"{t}"\n' for s, t in TURNS),
    ".tsv": "conversation_id\tspeaker\ttext\n" + "".join(f"c1\t{s}\t{t}\n" for s, t in TURNS),
    ".txt": "".join(f"{s.title()}: {t}\n" for s, t in TURNS),
    ".jsonl": json.dumps(
        {"id": "c1", "turns": [{"speaker": s, "text": t} for s, t in TURNS]}, ensure_ascii=False
    )
    + "\n",
    ".json": json.dumps(
        [{"id": "c1", "turns": [{"speaker": s, "text": t} for s, t in TURNS]}], ensure_ascii=False
    ),
}
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"]


def _records(path: Path) -> list:
    return list(iter_records([path]))


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("suffix", sorted(CONTENT))
def test_every_text_format_is_read_in_utf8_16_and_32(
    tmp_path: Path, suffix: str, encoding: str
) -> None:
    path = tmp_path / f"c1{suffix}"
    path.write_bytes(CONTENT[suffix].encode(encoding))
    (record,) = _records(path)
    assert isinstance(record.item, Transcript), record.item
    assert record.item.turns == [Turn(speaker=s, text=t) for s, t in TURNS]


def test_gzipped_utf16_is_read(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv.gz"
    path.write_bytes(gzip.compress(CONTENT[".csv"].encode("utf-16")))
    (record,) = _records(path)
    assert isinstance(record.item, Transcript) and len(record.item.turns) == 2


def test_detect_encoding() -> None:
    assert detect_encoding("id,x\n".encode("utf-16-le")) == "utf-16-le"
    assert detect_encoding("id,x\n".encode("utf-16-be")) == "utf-16-be"
    assert detect_encoding("id,x\n".encode("utf-32")) == "utf-32"
    assert detect_encoding("café".encode("latin-1")) == "utf-8-sig"


@pytest.mark.parametrize("suffix", [*sorted(CONTENT), ".jsonl.gz"])
@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_an_empty_file_is_one_error_row(tmp_path: Path, suffix: str, content: bytes) -> None:
    path = tmp_path / f"nothing{suffix}"
    path.write_bytes(gzip.compress(content) if suffix.endswith(".gz") else content)
    (record,) = _records(path)
    assert isinstance(record.item, ErrorRow)
    assert record.item.reason.startswith("empty file") and record.item.line is None
    assert record.item.id == "nothing" + (".jsonl" if suffix.endswith(".gz") else "")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("header-only.csv", b"conversation_id,speaker,text\n"),
        ("no-items.json", b"[]"),
        ("no-rows.parquet", None),
    ],
)
def test_a_file_with_no_records_is_one_error_row(tmp_path: Path, name: str, content) -> None:
    path = tmp_path / name
    if content is None:
        pq.write_table(pa.table({"conversation_id": pa.array([], pa.string()),
                                 "speaker": pa.array([], pa.string()),
                                 "text": pa.array([], pa.string())}), path)  # fmt: skip
    else:
        path.write_bytes(content)
    (record,) = _records(path)
    assert isinstance(record.item, ErrorRow) and record.item.reason.startswith("empty file")


@pytest.mark.parametrize("suffix", sorted(CONTENT))
def test_a_binary_file_is_one_file_level_error_row(tmp_path: Path, suffix: str) -> None:
    rng = random.Random(13)
    path = tmp_path / f"garbage{suffix}"
    path.write_bytes(bytes(rng.randrange(256) for _ in range(20_000)).replace(b"\n", b"\n\n"))
    (record,) = _records(path)
    assert isinstance(record.item, ErrorRow) and record.item.line is None
    assert record.item.reason.startswith(("binary file", "undecodable file"))


def test_binary_without_zero_bytes_and_known_formats(tmp_path: Path) -> None:
    rng = random.Random(7)
    noise = bytes(rng.randrange(128, 256) for _ in range(5000))
    (tmp_path / "high.jsonl").write_bytes(b"\n".join([noise] * 40))
    (record,) = _records(tmp_path / "high.jsonl")
    assert record.item.reason.startswith("undecodable file")
    (tmp_path / "book.csv").write_bytes(b"PK\x03\x04" + noise)
    (record,) = _records(tmp_path / "book.csv")
    assert "ZIP archive" in record.item.reason and "export it as CSV" in record.item.reason


def test_latin1_header_and_bad_file_name_give_printable_rows(tmp_path: Path) -> None:
    header = "conversation_id,speaker,t\xe9xt\nc1,agent,hello\n".encode("latin-1")
    (tmp_path / "latin.csv").write_bytes(header)
    name = os.fsdecode(b"bad\xffname.jsonl")
    (tmp_path / name).write_text(CONTENT[".jsonl"], encoding="utf-8")
    (tmp_path / os.fsdecode(b"x\xfe.jsonl")).write_bytes(b'{"id": "a\xff", "turns": []}\n')
    records = _records(tmp_path)
    assert len(records) == 3
    for record in records:
        item = record.item
        strings = [record.source, item.id] + (
            [item.source, item.reason] if isinstance(item, ErrorRow) else []
        )
        for text in strings:
            text.encode("utf-8")  # no lone surrogate: raises UnicodeEncodeError otherwise
    by_name = {Path(r.source).name: r.item for r in records}
    assert isinstance(by_name["bad\\xffname.jsonl"], Transcript)
    assert "t\\xe9xt" in by_name["latin.csv"].reason
    assert by_name["x\\xfe.jsonl"].id == "a\\xff"


def test_printable() -> None:
    assert printable("caf\udce9 \x00 tab\tnew\nline \ud800 ok") == (
        "caf\\xe9 \\x00 tab\tnew\nline \\ud800 ok"
    )
    assert printable("plain — text") == "plain — text"


def test_file_problem_passes_text(tmp_path: Path) -> None:
    path = tmp_path / "ok.txt"
    path.write_text("Agent: hello\n" * 2000, encoding="utf-8")
    assert file_problem(path) is None
    path.write_bytes(
        "Agent: caf\xe9 au lait\n".encode("latin-1") * 50
    )  # some bad bytes: not binary
    assert file_problem(path) is None
