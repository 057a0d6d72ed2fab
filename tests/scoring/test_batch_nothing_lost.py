"""One undecodable value never aborts a batch; the exit status says when nothing was scored.

The regression of issue 13: a UTF-16 CSV, a CSV header with a Latin-1 byte and a file name
with a non-UTF-8 byte made ``trainer score`` exit 2 (``UnicodeEncodeError ... surrogates not
allowed``) and lose every row. Here they sit in one folder with good calls, an empty file, a
binary file and a JSON list with a broken item; every record gives a row and every output is
valid UTF-8.
"""

from __future__ import annotations

import csv
import json
import os
import random
from pathlib import Path

import pytest

from trainer.scoring.batch import EXIT_NOTHING_SCORED, EXIT_OK, batch_main

AGENT = "I'm so sorry about that. I will fix your connection today."
CSV = f"conversation_id,speaker,text\nc1,customer,My internet is down.\nc1,agent,{AGENT}\n"


def _call(id: str) -> dict:
    turns = [{"speaker": "customer", "text": "It is down."}, {"speaker": "agent", "text": AGENT}]
    return {"id": id, "turns": turns}


def _adversarial_folder(root: Path) -> dict[str, int]:
    """Files that once sank a batch, with how many rows each must give."""
    root.mkdir()
    (root / "utf16.csv").write_bytes(CSV.encode("utf-16"))
    (root / "bom.tsv").write_bytes(CSV.replace(",", "\t").encode("utf-8-sig"))
    (root / "latin-header.csv").write_bytes(CSV.replace("text", "t\xe9xt", 1).encode("latin-1"))
    (root / os.fsdecode(b"bad\xffname.jsonl")).write_text(
        json.dumps(_call("named")) + "\n", encoding="utf-8"
    )
    (root / "empty.jsonl").write_bytes(b"")
    rng = random.Random(0)
    (root / "binary.jsonl").write_bytes(bytes(rng.randrange(256) for _ in range(30_000)))
    items = json.dumps([_call(f"item-{n}") for n in range(8)], indent=2)
    (root / "list.json").write_text(items.replace('"item-4"', "item-4", 1), encoding="utf-8")
    return {
        "utf16.csv": 1,
        "bom.tsv": 1,
        "latin-header.csv": 1,
        "bad\\xffname.jsonl": 1,
        "empty.jsonl": 1,
        "binary.jsonl": 1,
        "list.json": 8,
    }


def test_a_folder_of_hostile_files_loses_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = _adversarial_folder(tmp_path / "in")
    out = tmp_path / "out"
    bad_name = str(tmp_path / "in" / os.fsdecode(b"bad\xffname.jsonl"))
    argv = [str(tmp_path / "in"), bad_name, "--out", str(out), "--format", "csv,jsonl,html"]
    assert batch_main([*argv, "--no-progress"]) == EXIT_OK
    err = capsys.readouterr().err
    n_in, n_err = sum(expected.values()), 4  # latin header, empty, binary, list item 5
    assert f"{n_err} of {n_in} transcripts errored" in err
    with open(out / "scores.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    per_file: dict[str, int] = {}
    for row in rows:
        per_file[Path(row["source"]).name] = per_file.get(Path(row["source"]).name, 0) + 1
    assert per_file == expected
    reasons = {Path(r["source"]).name: r["error"] for r in rows if r["status"] == "error"}
    assert reasons["empty.jsonl"] == "empty file"
    assert reasons["binary.jsonl"].startswith(("binary file", "undecodable file"))
    assert "t\\xe9xt" in reasons["latin-header.csv"]
    assert "malformed JSON" in reasons["list.json"]
    cards = (out / "scorecards.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(cards) == n_in and all(json.loads(c)["transcript_id"] for c in cards)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["n_in"] == n_in and summary["n_errored"] == n_err
    assert any("bad\\xffname.jsonl" in name for name in summary["inputs"])
    assert "Frontline QA report" in (out / "report.html").read_text(encoding="utf-8")


def test_nothing_scored_exits_3_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.jsonl").write_bytes(b"")
    (folder / "customers.jsonl").write_text(
        json.dumps({"id": "x", "turns": [{"speaker": "customer", "text": "Hello?"}]}) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code = batch_main([str(folder), "--out", str(out), "--no-progress"])
    assert code == EXIT_NOTHING_SCORED == 3
    err = capsys.readouterr().err
    assert "nothing could be scored: all 2 transcripts errored" in err
    assert (out / "scores.csv").read_text(encoding="utf-8").count("\n") == 3  # header + 2 rows


def test_clean_run_says_none_errored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ok.jsonl"
    path.write_text(json.dumps(_call("ok")) + "\n", encoding="utf-8")
    assert batch_main([str(path), "--out", str(tmp_path / "out"), "--no-progress"]) == EXIT_OK
    assert "1 transcripts scored, none errored" in capsys.readouterr().err


def test_a_scorecard_json_cannot_be_sunk_by_a_lone_surrogate() -> None:
    from trainer.rubric.model import load_rubric
    from trainer.scoring.batch_workers import card_json
    from trainer.scoring.scorecard import Scorecard

    rubric = load_rubric()
    card = Scorecard.for_error(
        "id\udcff", "why \ud800", rubric_id=rubric.id, rubric_version=1, rubric_hash="h"
    )
    back = json.loads(card_json(card))
    assert back["transcript_id"] == "id\\xff" and back["error"] == "why \\ud800"
