"""A JSON list with malformed items: one error row per broken item, every other item read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trainer.transcripts.io import ErrorRow, iter_transcripts
from trainer.transcripts.json_items import iter_list_items
from trainer.transcripts.transcript import Transcript


def _call(n: int) -> dict:
    return {
        "id": f"call-{n}",
        "turns": [
            {"speaker": "customer", "text": f"Problem number {n}."},
            {"speaker": "agent", "text": "I'm sorry, let me fix that."},
        ],
    }


def _drop_after_item_four(text: str, part: str) -> str:
    """``text`` with the first ``part`` after item 5's id removed."""
    at = text.index('"id": "call-4"')
    cut = text.index(part, at)
    return text[:cut] + text[cut + len(part) :]


BREAKS = {  # how item 5 (index 4) of a pretty-printed list is broken
    "bare word": lambda s: s.replace('"id": "call-4"', "id: call-4", 1),
    "missing comma": lambda s: s.replace('"call-4",', '"call-4"', 1),
    "missing quote": lambda s: s.replace('"call-4"', '"call-4', 1),
    "unbalanced bracket": lambda s: _drop_after_item_four(s, "\n    ]"),
    "missing brace": lambda s: _drop_after_item_four(s, "\n  }"),
    "trailing comma": lambda s: _drop_after_item_four(s, '"call-4"').replace(
        '"id": ,', '"id": "call-4",,', 1
    ),
}


@pytest.mark.parametrize("how", sorted(BREAKS))
def test_item_five_malformed_gives_ten_rows(tmp_path: Path, how: str) -> None:
    good = json.dumps([_call(n) for n in range(10)], indent=2)
    broken = BREAKS[how](good)
    assert broken != good
    path = tmp_path / "calls.json"
    path.write_text(broken, encoding="utf-8")
    items = list(iter_transcripts([path]))
    assert len(items) == 10  # count in = count out
    errors = [i for i, item in enumerate(items) if isinstance(item, ErrorRow)]
    assert errors == [4]
    assert "malformed JSON" in items[4].reason
    assert items[4].line == good[: good.index('"id": "call-4"')].count("\n")
    ids = [item.id for item in items if isinstance(item, Transcript)]
    assert ids == [f"call-{n}" for n in range(10) if n != 4]


def test_one_line_list_recovers_balanced_items() -> None:
    text = '[{"id": 1}, {"id": 2,, }, {"id": 3}, [1, 2}, {"id": 5}]'
    items = list(iter_list_items(text, 0))
    assert [it.value for it in items[:3]] == [{"id": 1}, None, {"id": 3}]
    assert items[1].error is not None and "malformed JSON" in items[1].error
    # [1, 2} does not balance and the list is on one line: the rest is one unread part
    assert len(items) == 4 and "cannot be told" in items[3].error


def test_truncated_list_reports_the_unread_lines() -> None:
    text = json.dumps([_call(0), _call(1)], indent=2)[:-40]
    items = list(iter_list_items(text, 0))
    assert items[0].value == _call(0)
    assert len(items) == 2 and "cannot be told" in items[1].error
    assert items[1].error.endswith(f"lines {items[1].line}-{text.count(chr(10)) + 1} are unread")


def test_text_after_the_list_and_empty_slots() -> None:
    items = list(iter_list_items('[{"id": 1},, {"id": 2},]\n{"id": 3}', 0))
    assert [it.value for it in items] == [{"id": 1}, None, {"id": 2}, None]
    assert "Expecting value" in items[1].error
    assert "after the list" in items[3].error and items[3].line == 1


def test_recovery_is_linear_in_the_file_size() -> None:
    # 20,000 broken, unbalanced items at the same column: each resync costs one item
    text = "[\n" + ",\n".join('{"id": [1}' if n % 2 else '{"id": 2}' for n in range(20_000)) + "\n]"
    items = list(iter_list_items(text, 0))
    assert len(items) == 20_000
    assert sum(it.error is not None for it in items) == 10_000
