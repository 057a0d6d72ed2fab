"""Long-form readers (CSV/TSV, Parquet) of trainer.transcripts.io: grouping, errors, lines."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from trainer.transcripts.io import ErrorRow, iter_records, iter_transcripts
from trainer.transcripts.transcript import Transcript, Turn


def _write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _read(path: Path) -> list[Transcript | ErrorRow]:
    return list(iter_transcripts([path]))


# --- CSV --------------------------------------------------------------------------------------


def test_csv_groups_by_conversation_in_first_seen_order(tmp_path: Path) -> None:
    content = (
        "call_id,Role,utterance,turn\n"
        "b,customer,Hi there.,0\n"  # line 2
        "a,caller,My router is dead.,0\n"
        'a,rep,"Hello, this is\nSam.",1\n'  # a quoted field across two lines; a ends here
        "c,agent,Hello.,0\n"  # line 6; c ends here too
        "b,agent,Sorry to hear that.,1\n"  # line 7: b ends last, yet comes out first
    )
    records = list(iter_records([_write(tmp_path / "long.csv", content)]))
    assert [(r.item.id, r.line) for r in records] == [("b", 2), ("a", 3), ("c", 6)]
    first, second, _ = (r.item for r in records)
    assert second.turns[1] == Turn(speaker="agent", text="Hello, this is\nSam.")
    assert [t.speaker for t in first.turns] == ["customer", "agent"]


def test_csv_turn_index_orders_turns(tmp_path: Path) -> None:
    content = "conversation_id,speaker,text,turn_index\nx,agent,second,2\nx,customer,first,1\n"
    (item,) = _read(_write(tmp_path / "t.csv", content))
    assert [t.text for t in item.turns] == ["first", "second"]
    bad = "conversation_id,speaker,text,turn\nx,agent,a,one\n"
    (err,) = _read(_write(tmp_path / "bad.csv", bad))
    assert isinstance(err, ErrorRow) and err.line == 2 and "turn index 'one'" in err.reason


def test_csv_error_rows(tmp_path: Path) -> None:
    content = (
        b"conversation_id,speaker,text\n"  # 1
        b"ok,agent,Hello.\n"  # 2
        b",agent,orphan row\n"  # 3: no conversation id -> its own error row
        b"bots,robot,beep\n"  # 4
        b"bots,agent,hi\n"  # 5
        b"bytes,agent,caf\xe9 au lait\n"  # 6: latin-1, not UTF-8
        b"short,agent\n"  # 7: missing text
        b"wide,agent,Hello, how are you\n"  # 8: unquoted comma
        b"nospk,,hello\n"  # 9
    )
    records = list(iter_records([_write(tmp_path / "errs.csv", content)]))
    items = [r.item for r in records]
    assert [i.id for i in items] == ["ok", "errs:3", "bots", "bytes", "short", "wide", "nospk"]
    assert isinstance(items[0], Transcript)
    errors = {e.id: e for e in items[1:]}
    assert errors["errs:3"].line == 3 and "missing conversation_id" in errors["errs:3"].reason
    assert (
        errors["bots"].line == 4
        and "unknown speaker labels: 'robot' (line 4)" in errors["bots"].reason
    )
    assert errors["bytes"].line == 6 and "undecodable text" in errors["bytes"].reason
    assert errors["short"].line == 7 and "missing text" in errors["short"].reason
    assert errors["wide"].line == 8 and "4 fields, the header has 3" in errors["wide"].reason
    assert errors["nospk"].line == 9 and "missing speaker" in errors["nospk"].reason


def test_csv_missing_columns_is_one_error_for_the_file(tmp_path: Path) -> None:
    (err,) = _read(_write(tmp_path / "cols.csv", "id,who,text\n1,agent,hi\n"))
    assert isinstance(err, ErrorRow) and err.line == 1
    assert "missing columns: speaker" in err.reason and "found: id, who, text" in err.reason


@pytest.mark.parametrize(("name", "sep"), [("semi.csv", ";"), ("tabs.tsv", "\t")])
def test_csv_other_delimiters(tmp_path: Path, name: str, sep: str) -> None:
    content = (
        sep.join(["conversation_id", "speaker", "text"])
        + "\n"
        + sep.join(["k", "agent", "Hi, there"])
        + "\n"
    )
    (item,) = _read(_write(tmp_path / name, "\ufeff" + content))
    assert isinstance(item, Transcript) and item.turns[0].text == "Hi, there"


# --- TXT --------------------------------------------------------------------------------------


def test_txt_lines_aliases_and_continuations(tmp_path: Path) -> None:
    content = (
        "Call recording 2024-03-01\n"
        "[00:00:01] Agent (Sam): Thanks for calling Northwind.\n"
        "How can I help?\n"
        "\n"
        "Caller: My internet is down.\n"
        "Note: third time calling\n"  # a one-off label continues the turn
        "REP: I'm sorry about that.\n"
        "customer 1: ok\n"
        "Agent:See https://example.com/help\n"  # no space after a known label is fine
        "http://example.com/status\n"  # a URL is not a label
    )
    (item,) = _read(_write(tmp_path / "call-9.txt", content))
    assert item.id == "call-9"
    assert [(t.speaker, t.text) for t in item.turns] == [
        ("agent", "Thanks for calling Northwind. How can I help?"),
        ("customer", "My internet is down. Note: third time calling"),
        ("agent", "I'm sorry about that."),
        ("customer", "ok"),
        ("agent", "See https://example.com/help http://example.com/status"),
    ]
    assert item.metadata == {"preamble": "Call recording 2024-03-01"}


def test_txt_errors(tmp_path: Path) -> None:
    content = "Agent: Hello.\nSupervisor: Hi.\nCustomer: Hey.\nSupervisor: Bye.\n"
    (err,) = _read(_write(tmp_path / "sup.txt", content))
    assert isinstance(err, ErrorRow) and err.id == "sup" and err.line == 2
    assert "unknown speaker labels: 'Supervisor' (line 2)" in err.reason
    (err,) = _read(_write(tmp_path / "cust.txt", "Customer: Hello?\nCaller: Anyone?\n"))
    assert err.reason == "no agent turns" and err.line == 1
    (err,) = _read(_write(tmp_path / "bytes.txt", b"Customer: hi\nAgent: caf\xe9\n"))
    assert "undecodable text" in err.reason and err.line == 2
    (err,) = _read(_write(tmp_path / "empty.txt", "just some notes\n"))
    assert err.reason == "no turns"


# --- Parquet ----------------------------------------------------------------------------------


def test_parquet_long_form_and_turns_column(tmp_path: Path) -> None:
    long = pa.table(
        {
            "conversation_id": ["p1", "p2", "p1", None, "p2"],
            "speaker": ["caller", "agent", "advisor", "agent", None],
            "text": ["Hi", "Hello", "Hello, Sam here.", "orphan", "x"],
        }
    )
    pq.write_table(long, tmp_path / "long.parquet")
    records = list(iter_records([tmp_path / "long.parquet"]))
    assert [r.item.id for r in records] == ["p1", "p2", "long:4"]
    assert records[0].item.turns[1] == Turn(speaker="agent", text="Hello, Sam here.")
    assert isinstance(records[1].item, ErrorRow) and records[1].item.line == 5
    assert "missing speaker" in records[1].item.reason
    wide = pa.table(
        {
            "id": ["w1", "w2"],
            "turns": [[{"speaker": "rep", "text": "Hi"}], [{"speaker": "user", "text": "Hi"}]],
        }
    )
    pq.write_table(wide, tmp_path / "wide.parquet")
    first, second = _read(tmp_path / "wide.parquet")
    assert first.turns == [Turn(speaker="agent", text="Hi")]
    assert isinstance(second, ErrorRow) and second.line == 2 and second.reason == "no agent turns"


def test_corrupt_file_is_one_error_row(tmp_path: Path) -> None:
    (err,) = _read(_write(tmp_path / "junk.parquet", b"not a parquet file"))
    assert isinstance(err, ErrorRow) and err.id == "junk" and "cannot read file" in err.reason


def test_sorted_long_form_streams_one_conversation_at_a_time(tmp_path: Path) -> None:
    from trainer.transcripts.longform import _group_long_rows, _Row

    ids = [f"c{n // 2}" for n in range(200)]  # c0 c0 c1 c1 ...: sorted by conversation
    consumed: list[int] = []

    def rows():
        for i, conv in enumerate(ids):
            consumed.append(i)
            yield _Row(i + 2, conv, "agent" if i % 2 else "customer", f"turn {i}")

    stream = _group_long_rows(tmp_path / "x.csv", lambda: iter(ids), rows)
    seen_before = []
    for record in stream:
        seen_before.append(len(consumed))
        assert isinstance(record.item, Transcript) and len(record.item.turns) == 2
    assert seen_before == [2 * (k + 1) for k in range(100)]  # emitted as soon as complete
