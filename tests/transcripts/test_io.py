"""Readers and writers of trainer.transcripts.io: every format, alias and error-row case."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from trainer.transcripts.io import (
    ErrorRow,
    iter_records,
    iter_transcripts,
    normalise_speaker,
    resolve_paths,
    transcripts_from_records,
    write_csv,
    write_jsonl,
)
from trainer.transcripts.transcript import Transcript, Turn


def _call(id: str, *turns: tuple[str, str], **extra: object) -> dict:
    return {"id": id, "turns": [{"speaker": s, "text": t} for s, t in turns], **extra}


GOOD = (("customer", "My bill is wrong."), ("agent", "I'm sorry, let me check that."))


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _lines(*objs: object) -> str:
    return "".join(json.dumps(o) + "\n" for o in objs)


def _read(path: Path) -> list[Transcript | ErrorRow]:
    return list(iter_transcripts([path]))


@pytest.mark.parametrize(
    ("label", "speaker"),
    [
        *[(a, "agent") for a in ["agent", "rep", "csr", "advisor", "adviser", "representative"]],
        *[(a, "agent") for a in ["associate", "operator", "support"]],
        *[(a, "customer") for a in ["customer", "caller", "client", "user", "member", "consumer"]],
        ("AGENT", "agent"),
        ("Rep 2", "agent"),
        ("Agent (Sarah)", "agent"),
        ("Caller:", "customer"),
        ("Agent1", "agent"),
        ("supervisor", None),
        ("bot", None),
    ],
)
def test_speaker_aliases(label: str, speaker: str | None) -> None:
    assert normalise_speaker(label) == speaker


# --- JSONL ------------------------------------------------------------------------------------


def test_jsonl_reads_canonical_and_aliases(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "calls.jsonl",
        _lines(
            _call("c1", *GOOD, persona="angry-escalation"),
            {
                "conversation_id": 42,
                "queue": "billing",
                "turns": [
                    {"role": "Caller", "content": "Hi."},
                    {"role": "CSR", "content": " Hello, this is Sam. "},
                ],
            },
        ),
    )
    first, second = _read(path)
    assert first == Transcript(
        id="c1", persona="angry-escalation", turns=[Turn(**t) for t in first.model_dump()["turns"]]
    )
    assert [t.speaker for t in first.turns] == ["customer", "agent"]
    assert second.id == "42"
    assert second.turns == [
        Turn(speaker="customer", text="Hi."),
        Turn(speaker="agent", text="Hello, this is Sam."),
    ]
    assert second.metadata == {"queue": "billing"}


def test_jsonl_error_rows_carry_line_numbers(tmp_path: Path) -> None:
    good = json.dumps(_call("ok", *GOOD)).encode()
    bad_bytes = json.dumps(_call("bytes", *GOOD)).encode().replace(b"let me", b"let \xff\xfe me")
    content = b"\n".join(
        [
            good,  # 1
            b"",  # 2: blank lines are not records
            b'{"id": "broken", "turns": [',  # 3
            json.dumps({"turns": []}).encode(),  # 4
            json.dumps({"id": "noturns"}).encode(),  # 5
            json.dumps(
                _call("silent", ("customer", "Hello?"), ("caller", "Anyone?"))
            ).encode(),  # 6
            json.dumps(_call("bots", ("bot", "Hi"), ("agent", "Hello"), ("system", "x"))).encode(),
            bad_bytes,  # 8
            json.dumps({"id": "notext", "turns": [{"speaker": "agent"}]}).encode(),  # 9
            json.dumps({"id": "nulltext", "turns": [{"speaker": "agent", "text": None}]}).encode(),
            b"[1, 2]",  # 11
        ]
    )
    records = list(iter_records([_write(tmp_path / "mixed.jsonl", content)]))
    assert [r.line for r in records] == [1, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert isinstance(records[0].item, Transcript)
    errors = [r.item for r in records[1:]]
    assert all(isinstance(e, ErrorRow) for e in errors)
    assert [e.line for e in errors] == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    reasons = [e.reason for e in errors]
    assert reasons[0].startswith("malformed JSON")
    assert errors[0].id == "mixed:3"
    assert reasons[1] == "missing field 'id'"
    assert reasons[2] == "missing field 'turns'"
    assert reasons[3] == "no agent turns"
    assert "unknown speaker labels: 'bot'" in reasons[4] and "'system'" in reasons[4]
    assert errors[5].id == "bytes" and "undecodable text" in reasons[5] and "turn 2" in reasons[5]
    assert reasons[6] == "turn 1: missing field 'text'"
    assert reasons[7] == "turn 1: missing field 'text'"
    assert reasons[8].startswith("expected an object")
    assert all(e.source.endswith("mixed.jsonl") for e in errors)


def test_jsonl_gz_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl.gz"
    with gzip.open(path, "wb") as f:
        f.write(b"\xef\xbb\xbf" + _lines(_call("z", *GOOD)).encode())
    (item,) = _read(path)
    assert isinstance(item, Transcript) and item.id == "z"


# --- JSON -------------------------------------------------------------------------------------


def test_json_single_object_uses_file_stem_as_default_id(tmp_path: Path) -> None:
    obj = {"turns": [{"speaker": "agent", "text": "Hello"}]}
    (item,) = _read(_write(tmp_path / "call-7.json", json.dumps(obj)))
    assert isinstance(item, Transcript) and item.id == "call-7"


def test_json_list_reports_item_lines(tmp_path: Path) -> None:
    items = [_call("a", *GOOD), {"id": "b"}, _call("c", ("customer", "hi"))]
    path = _write(tmp_path / "calls.json", json.dumps(items, indent=2))
    text = path.read_text()
    records = list(iter_records([path]))
    assert [type(r.item).__name__ for r in records] == ["Transcript", "ErrorRow", "ErrorRow"]
    for record, obj in zip(records, items, strict=True):
        assert record.line == text[: text.index(f'"id": "{obj["id"]}"')].count("\n")
    assert records[1].item.reason == "missing field 'turns'"
    assert records[2].item.reason == "no agent turns"


def test_json_malformed_item_is_one_row_and_the_rest_is_read(tmp_path: Path) -> None:
    content = (
        "[\n"
        + json.dumps(_call("a", *GOOD))
        + ",\n{oops},\n"
        + json.dumps(_call("b", *GOOD))
        + "\n]"
    )
    records = list(iter_records([_write(tmp_path / "bad.json", content)]))
    assert [type(r.item).__name__ for r in records] == ["Transcript", "ErrorRow", "Transcript"]
    assert records[1].item.line == 3 and "malformed JSON" in records[1].item.reason
    assert records[2].item.id == "b" and records[2].line == 4
    (whole,) = _read(_write(tmp_path / "worse.json", '{"id": "x",\n "turns": [}'))
    assert isinstance(whole, ErrorRow) and whole.line == 2 and whole.id == "worse"


# --- paths, counts, writers -------------------------------------------------------------------


def _mixed_folder(root: Path) -> int:
    """A folder of every format with good and bad records; returns the number of records."""
    _write(root / "a.jsonl", _lines(_call("j1", *GOOD), _call("j2", ("customer", "hi"))) + "{bad\n")
    _write(root / "b.json", json.dumps([_call("l1", *GOOD), {"id": "l2"}]))
    _write(
        root / "sub" / "c.csv",
        "conversation_id,speaker,text\nc1,agent,hi\nc2,bot,x\n,agent,y\nc1,customer,ok\n",
    )
    _write(root / "sub" / "d.txt", "Agent: Hello.\nCustomer: Hi.\n")
    _write(root / "sub" / "e.txt", "Customer: Hello?\n")
    pq.write_table(
        pa.table(
            {"conversation_id": ["q1", "q2"], "speaker": ["agent", "agent"], "text": ["a", "b"]}
        ),
        root / "f.parquet",
    )
    _write(root / "README.md", "not a transcript")  # skipped: unsupported format in a folder
    _write(root / ".hidden" / "g.jsonl", _lines(_call("hidden", *GOOD)))  # skipped: hidden
    return 3 + 2 + 3 + 1 + 1 + 2


def test_count_in_equals_count_out_on_a_mixed_folder(tmp_path: Path) -> None:
    expected = _mixed_folder(tmp_path / "in")
    records = list(iter_records([tmp_path / "in"]))
    assert len(records) == expected
    ids = [r.item.id for r in records]
    assert ids == ["j1", "j2", "a:3", "l1", "l2", "q1", "q2", "c1", "c2", "c:4", "d", "e"]
    assert sum(isinstance(r.item, ErrorRow) for r in records) == 6


def test_resolve_paths_files_folders_globs(tmp_path: Path) -> None:
    _mixed_folder(tmp_path / "in")
    assert [p.name for p in resolve_paths([tmp_path / "in" / "**" / "*.txt"])] == ["d.txt", "e.txt"]
    both = resolve_paths(
        [tmp_path / "in" / "a.jsonl", tmp_path / "in", str(tmp_path / "in" / "*.json*")]
    )
    assert len(both) == len(set(both)) == 6  # de-duplicated, README and .hidden skipped
    with pytest.raises(FileNotFoundError, match="no such file"):
        resolve_paths([tmp_path / "nope.jsonl"])
    with pytest.raises(FileNotFoundError, match="no files match"):
        resolve_paths([str(tmp_path / "*.xlsx")])
    with pytest.raises(ValueError, match="unsupported format"):
        resolve_paths([tmp_path / "in" / "README.md"])


def test_writers_round_trip(tmp_path: Path) -> None:
    calls = [
        Transcript(id="r1", persona="p", turns=[Turn(speaker="agent", text='Hi, "quoted"\nline')]),
        Transcript(
            id="r2",
            turns=[Turn(speaker="customer", text="é"), Turn(speaker="agent", text="ok")],
            metadata={"k": "v"},
        ),
    ]
    assert write_jsonl(calls, tmp_path / "out.jsonl") == 2
    assert _read(tmp_path / "out.jsonl") == calls
    assert write_csv(calls, tmp_path / "out.csv") == 2
    back = _read(tmp_path / "out.csv")
    assert [(t.id, t.turns) for t in back] == [(t.id, t.turns) for t in calls]
    with pytest.raises(TypeError):
        write_jsonl([ErrorRow("x", "s", 1, "r")], tmp_path / "bad.jsonl")


def test_records_from_memory(tmp_path: Path) -> None:
    records = list(transcripts_from_records([_call("m1", *GOOD), {"id": "m2"}]))
    assert isinstance(records[0].item, Transcript)
    assert records[1].item == ErrorRow("m2", "<records>", 2, "missing field 'turns'")


def test_pathological_inputs_become_error_rows(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    path = _write(tmp_path / "deep.jsonl", deep + "\n" + json.dumps(_call("ok", *GOOD)) + "\n")
    first, second = _read(path)
    assert isinstance(first, ErrorRow) and first.line == 1 and "nested too deeply" in first.reason
    assert isinstance(second, Transcript)
    (bad_gz,) = _read(_write(tmp_path / "trunc.jsonl.gz", gzip.compress(b'{"id": 1}\n')[:-12]))
    assert isinstance(bad_gz, ErrorRow) and "cannot read file" in bad_gz.reason
